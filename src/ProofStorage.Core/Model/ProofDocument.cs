namespace ProofStorage.Core.Model;

/// <summary>
/// A verified, decrypted proof ready to serve: the record JSON exactly as stored, its gzip form (served as it is to
/// clients that accept gzip), the envelope the provider holds (what the shared cache level stores, so it never seals
/// anything a second time) and a strong ETag. Immutable; this is what the L1 cache holds, so a cache hit costs no
/// parsing, no decompression and no serialisation.
/// </summary>
public sealed class ProofDocument
{
    /// <summary>Bytes counted per entry on top of the payloads (object headers, strings, cache bookkeeping).</summary>
    internal const int OverheadBytes = 320;

    public ProofDocument(string proofId, ImageHash imageHash, DateTimeOffset createdAt, ReadOnlyMemory<byte> json,
        ReadOnlyMemory<byte> gzip, string etag, ReadOnlyMemory<byte> envelope)
    {
        ProofId = proofId;
        ImageHash = imageHash;
        CreatedAt = createdAt;
        Json = json;
        Gzip = gzip;
        ETag = etag;
        Envelope = envelope;
    }

    public string ProofId { get; }

    public ImageHash ImageHash { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The record <c>{proofId, imageHash, createdAt, metadata, proof}</c> as UTF-8 JSON; <c>proof</c> is byte-for-byte what was sent.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The gzip encoding of <see cref="Json"/> (a complete gzip member).</summary>
    public ReadOnlyMemory<byte> Gzip { get; }

    /// <summary>
    /// The stored object exactly as the provider holds it at <c>proofs/{ProofId}</c>: <see cref="Gzip"/> sealed with
    /// AES-256-GCM, the object key bound as associated data. Never served; it is what the distributed cache level keeps.
    /// </summary>
    public ReadOnlyMemory<byte> Envelope { get; }

    /// <summary>Strong entity tag of <see cref="Json"/>, quoted, e.g. <c>"Kq3…"</c> (the envelope's GCM tag, so every copy of the envelope has it).</summary>
    public string ETag { get; }

    /// <summary>The strong entity tag of the gzip representation.</summary>
    public string GzipETag => string.Concat(ETag.AsSpan(0, ETag.Length - 1), ".gz\"");

    /// <summary>Size of the object as kept by the provider (envelope bytes).</summary>
    public long StoredBytes => Envelope.Length;

    /// <summary>What this entry costs the L1 byte budget: the three byte forms and the per-entry overhead.</summary>
    public long CacheSize => Json.Length + Gzip.Length + Envelope.Length + OverheadBytes;
}
