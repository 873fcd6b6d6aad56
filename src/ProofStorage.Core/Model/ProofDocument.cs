using System.Diagnostics.CodeAnalysis;
using ProofStorage.Core.Buffers;

namespace ProofStorage.Core.Model;

/// <summary>
/// A verified, decrypted proof ready to serve: the record JSON exactly as stored, its gzip form (served as it is to
/// clients that accept gzip), the envelope the provider holds (what the shared cache level stores, so it never seals
/// anything a second time) and a strong ETag. The bytes are immutable; this is what the L1 cache holds, so a cache hit
/// costs no parsing, no decompression and no serialisation.
/// </summary>
/// <remarks>
/// <para>The three byte forms live in one <see cref="NativeBuffer"/>, outside the GC heap, so the L1 byte budget is what
/// the process spends: an evicted proof's bytes are freed at once, not when a collection gets to them.</para>
/// <para><b>Ownership.</b> Each <see cref="ProofDocument"/> object holds one reference to the bytes and is
/// <see cref="IDisposable"/>: disposing gives it back. The cache holds its own document and disposes it when the
/// entry is evicted; every document the store returns (<see cref="StorageManager.GetAsync"/>, a store's result, …)
/// is the caller's own, sharing the same bytes, and stays readable however soon the cache drops its copy, until the
/// caller disposes it. The bytes are freed when the last document over them is disposed. A document that is never
/// disposed keeps its bytes (a leak, never a use-after-free); reading after disposing the last one throws
/// <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed class ProofDocument : IDisposable
{
    /// <summary>Bytes counted per entry on top of the payloads (object headers, strings, cache bookkeeping).</summary>
    internal const int OverheadBytes = 320;

    private readonly NativeBuffer _bytes;
    private readonly int _jsonLength;
    private readonly int _gzipLength;
    private readonly int _envelopeLength;
    private int _disposed;

    /// <summary>A document over a copy of the given bytes (in one new native block); the caller owns it.</summary>
    public ProofDocument(string proofId, ImageHash imageHash, DateTimeOffset createdAt, ReadOnlyMemory<byte> json,
        ReadOnlyMemory<byte> gzip, string etag, ReadOnlyMemory<byte> envelope)
        : this(proofId, imageHash, createdAt, etag, Copy(json.Span, gzip.Span, envelope.Span), json.Length, gzip.Length, envelope.Length)
    {
    }

    /// <summary>
    /// A document over <paramref name="bytes"/> laid out as json | gzip | envelope; it takes over the reference the
    /// caller holds on them.
    /// </summary>
    internal ProofDocument(string proofId, ImageHash imageHash, DateTimeOffset createdAt, string etag, NativeBuffer bytes,
        int jsonLength, int gzipLength, int envelopeLength)
    {
        ArgumentNullException.ThrowIfNull(etag);
        ArgumentNullException.ThrowIfNull(bytes);
        if ((long)jsonLength + gzipLength + envelopeLength > bytes.Length)
        {
            throw new ArgumentException("The forms do not fit the block.", nameof(bytes));
        }

        ProofId = proofId;
        ImageHash = imageHash;
        CreatedAt = createdAt;
        ETag = etag;
        GzipETag = string.Concat(etag.AsSpan(0, etag.Length - 1), ".gz\"");
        _bytes = bytes;
        _jsonLength = jsonLength;
        _gzipLength = gzipLength;
        _envelopeLength = envelopeLength;
    }

    /// <summary>Another document on the same bytes, sharing every field.</summary>
    private ProofDocument(ProofDocument source)
    {
        ProofId = source.ProofId;
        ImageHash = source.ImageHash;
        CreatedAt = source.CreatedAt;
        ETag = source.ETag;
        GzipETag = source.GzipETag;
        _bytes = source._bytes;
        _jsonLength = source._jsonLength;
        _gzipLength = source._gzipLength;
        _envelopeLength = source._envelopeLength;
    }

    public string ProofId { get; }

    public ImageHash ImageHash { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The record <c>{proofId, imageHash, createdAt, metadata, proof}</c> as UTF-8 JSON; <c>proof</c> is byte-for-byte what was sent.</summary>
    public ReadOnlyMemory<byte> Json => _bytes.Slice(0, _jsonLength);

    /// <summary>The gzip encoding of <see cref="Json"/> (a complete gzip member).</summary>
    public ReadOnlyMemory<byte> Gzip => _bytes.Slice(_jsonLength, _gzipLength);

    /// <summary>
    /// The stored object exactly as the provider holds it at <c>proofs/{ProofId}</c>: <see cref="Gzip"/> sealed with
    /// AES-256-GCM, the object key bound as associated data. Never served; it is what the distributed cache level keeps.
    /// </summary>
    public ReadOnlyMemory<byte> Envelope => _bytes.Slice(_jsonLength + _gzipLength, _envelopeLength);

    /// <summary>Length of <see cref="Json"/> (readable after disposal).</summary>
    public int JsonLength => _jsonLength;

    /// <summary>Strong entity tag of <see cref="Json"/>, quoted, e.g. <c>"Kq3…"</c> (the envelope's GCM tag, so every copy of the envelope has it).</summary>
    public string ETag { get; }

    /// <summary>The strong entity tag of the gzip representation.</summary>
    public string GzipETag { get; }

    /// <summary>Size of the object as kept by the provider (envelope bytes).</summary>
    public long StoredBytes => _envelopeLength;

    /// <summary>What this entry costs the L1 byte budget: the three byte forms and the per-entry overhead.</summary>
    public long CacheSize => (long)_jsonLength + _gzipLength + _envelopeLength + OverheadBytes;

    /// <summary>
    /// Another document over the same bytes for a new owner, or false when these bytes were already freed (this
    /// document was disposed, and so was every other one over them). Allocation-free on the bytes: one small object.
    /// </summary>
    public bool TryShare([NotNullWhen(true)] out ProofDocument? shared)
    {
        if (Volatile.Read(ref _disposed) == 0 && _bytes.TryRetain())
        {
            shared = new ProofDocument(this);
            return true;
        }

        shared = null;
        return false;
    }

    /// <summary>Whether <paramref name="other"/> is a document over the very same bytes (the same native block).</summary>
    public bool SharesBytesWith(ProofDocument other) => ReferenceEquals(_bytes, other?._bytes);

    /// <summary>Gives back this document's reference to the bytes (once; later calls do nothing).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _bytes.Release();
        }
    }

    private static NativeBuffer Copy(ReadOnlySpan<byte> json, ReadOnlySpan<byte> gzip, ReadOnlySpan<byte> envelope)
    {
        var block = NativeBuffer.Allocate(checked(json.Length + gzip.Length + envelope.Length));
        var target = block.GetSpan();
        json.CopyTo(target);
        gzip.CopyTo(target[json.Length..]);
        envelope.CopyTo(target[(json.Length + gzip.Length)..]);
        return block;
    }
}
