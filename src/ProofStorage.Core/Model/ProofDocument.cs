namespace ProofStorage.Core.Model;

/// <summary>
/// A verified, decrypted proof ready to serve: the record JSON exactly as stored, its gzip form (the stored
/// compressed bytes, served as they are to clients that accept gzip) and a strong ETag. Immutable; this is
/// what the L1 cache holds, so a cache hit costs no parsing, no decompression and no serialisation.
/// </summary>
public sealed class ProofDocument
{
    /// <summary>Bytes counted per entry on top of the payloads (object headers, strings, cache bookkeeping).</summary>
    internal const int OverheadBytes = 320;

    public ProofDocument(string proofId, ImageHash imageHash, DateTimeOffset createdAt, ReadOnlyMemory<byte> json,
        ReadOnlyMemory<byte> gzip, string etag, long storedBytes)
    {
        ProofId = proofId;
        ImageHash = imageHash;
        CreatedAt = createdAt;
        Json = json;
        Gzip = gzip;
        ETag = etag;
        StoredBytes = storedBytes;
    }

    public string ProofId { get; }

    public ImageHash ImageHash { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The record <c>{proofId, imageHash, createdAt, metadata, proof}</c> as UTF-8 JSON; <c>proof</c> is byte-for-byte what was sent.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The gzip encoding of <see cref="Json"/> (a complete gzip member).</summary>
    public ReadOnlyMemory<byte> Gzip { get; }

    /// <summary>Strong entity tag of <see cref="Json"/>, quoted, e.g. <c>"Kq3…"</c>.</summary>
    public string ETag { get; }

    /// <summary>The strong entity tag of the gzip representation.</summary>
    public string GzipETag => string.Concat(ETag.AsSpan(0, ETag.Length - 1), ".gz\"");

    /// <summary>Size of the object as kept by the provider (envelope bytes).</summary>
    public long StoredBytes { get; }

    /// <summary>What this entry costs the L1 byte budget.</summary>
    public long CacheSize => Json.Length + Gzip.Length + OverheadBytes;
}
