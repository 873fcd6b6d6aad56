using System.Diagnostics.CodeAnalysis;
using ProofStorage.Core.Buffers;
using ProofStorage.Core.Codec;

namespace ProofStorage.Core.Model;

/// <summary>
/// A verified, decrypted proof ready to serve: the record exactly as stored, its gzip form (served as it is to clients
/// that accept gzip), the envelope the provider holds (what the shared cache level stores, so it never seals anything a
/// second time) and a strong ETag. The bytes are immutable; this is what the L1 cache holds, so a cache hit costs no
/// parsing, no decompression and no serialisation.
/// </summary>
/// <remarks>
/// <para>A record is JSON (a proof stored as JSON) or binary (a C2PA manifest store stored as its raw bytes, see
/// <see cref="ProofRecord"/>). A binary proof's document is a slice of its record (<see cref="ReadContent"/> copies
/// nothing), and its gzip form is not kept: only the JSON record is ever served compressed as stored.</para>
/// <para>The byte forms live in one <see cref="NativeBuffer"/>, outside the GC heap, laid out record | gzip | envelope
/// (the gzip empty for a binary record), so the L1 byte budget is what the process spends: an evicted proof's bytes
/// are freed at once, not when a collection gets to them.</para>
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
    private readonly int _recordLength;
    private readonly int _gzipLength;
    private readonly int _envelopeLength;

    /// <summary>A binary record's media type; <see langword="null"/> for a JSON record.</summary>
    private readonly string? _mediaType;

    /// <summary>Where a binary record's content starts in it; 0 for a JSON record.</summary>
    private readonly int _contentOffset;
    private int _disposed;

    /// <summary>A proof whose record is JSON, over a copy of the given bytes (in one new native block); the caller owns it.</summary>
    public ProofDocument(string proofId, ImageHash? imageHash, DateTimeOffset createdAt, ReadOnlyMemory<byte> json,
        ReadOnlyMemory<byte> gzip, string etag, ReadOnlyMemory<byte> envelope)
        : this(new ProofRecordHeader(proofId, imageHash, createdAt), etag, Copy(json.Span, gzip.Span, envelope.Span), json.Length, gzip.Length,
            envelope.Length)
    {
    }

    /// <summary>
    /// A document over <paramref name="bytes"/> laid out as record | gzip | envelope for the record whose header is
    /// <paramref name="header"/> (its <see cref="ProofRecordHeader.ProofId"/> the id the proof is stored under); it takes
    /// over the reference the caller holds on them. A binary record's <paramref name="gzipLength"/> is 0.
    /// </summary>
    internal ProofDocument(ProofRecordHeader header, string etag, NativeBuffer bytes, int recordLength, int gzipLength, int envelopeLength)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(etag);
        ArgumentNullException.ThrowIfNull(bytes);
        if ((long)recordLength + gzipLength + envelopeLength > bytes.Length)
        {
            throw new ArgumentException("The forms do not fit the block.", nameof(bytes));
        }

        ProofId = header.ProofId;
        ImageHash = header.ImageHash;
        CreatedAt = header.CreatedAt;
        ETag = etag;
        GzipETag = string.Concat(etag.AsSpan(0, etag.Length - 1), ".gz\"");
        Format = header.Format;
        C2pa = header.C2pa;
        _mediaType = header.MediaType;
        _contentOffset = header.ContentOffset;
        _bytes = bytes;
        _recordLength = recordLength;
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
        Format = source.Format;
        C2pa = source.C2pa;
        _mediaType = source._mediaType;
        _contentOffset = source._contentOffset;
        _bytes = source._bytes;
        _recordLength = source._recordLength;
        _gzipLength = source._gzipLength;
        _envelopeLength = source._envelopeLength;
    }

    /// <summary>
    /// The document (the caller's own, over a copy of the bytes in one new native block) for a record just opened under the
    /// id <paramref name="proofId"/>, whose header was read with <see cref="ProofRecord.ReadHeader"/>; <paramref name="gzip"/>
    /// is dropped for a binary record.
    /// </summary>
    public static ProofDocument FromRecord(string proofId, ProofRecordHeader header, ReadOnlyMemory<byte> record, ReadOnlyMemory<byte> gzip, string etag,
        ReadOnlyMemory<byte> envelope)
    {
        ArgumentNullException.ThrowIfNull(header);
        var kept = header.Format == ProofRecordFormat.Binary ? ReadOnlySpan<byte>.Empty : gzip.Span;
        return new ProofDocument(header with { ProofId = proofId }, etag, Copy(record.Span, kept, envelope.Span), record.Length, kept.Length,
            envelope.Length);
    }

    public string ProofId { get; }

    /// <summary>The image's SHA-256; <see langword="null"/> only for a manifest store stored without one.</summary>
    public ImageHash? ImageHash { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The record's layout: JSON, or binary (a manifest store kept as its raw bytes).</summary>
    public ProofRecordFormat Format { get; }

    /// <summary>The record exactly as stored (the plaintext of the envelope).</summary>
    public ReadOnlyMemory<byte> Record => _bytes.Slice(0, _recordLength);

    /// <summary>
    /// The record as JSON <c>{proofId, imageHash, createdAt, metadata, proof…}</c>, as the record route serves it. For a
    /// JSON record these are the stored bytes (<c>proof</c> byte for byte what was sent). For a binary record it is
    /// rendered on each call (on the managed heap), the manifest store as a base64 <c>proof</c>: use
    /// <see cref="ReadContent"/> for its bytes.
    /// </summary>
    public ReadOnlyMemory<byte> Json => Format == ProofRecordFormat.Json ? Record : ProofRecord.RenderJson(Record);

    /// <summary>The gzip encoding of a JSON record (a complete gzip member); empty for a binary record.</summary>
    public ReadOnlyMemory<byte> Gzip => _bytes.Slice(_recordLength, _gzipLength);

    /// <summary>
    /// The stored object exactly as the provider holds it at <c>proofs/{ProofId}</c>: the record's gzip sealed with
    /// AES-256-GCM, the object key bound as associated data. Never served; it is what the distributed cache level keeps.
    /// </summary>
    public ReadOnlyMemory<byte> Envelope => _bytes.Slice(_recordLength + _gzipLength, _envelopeLength);

    /// <summary>Length of <see cref="Record"/> (readable after disposal).</summary>
    public int RecordLength => _recordLength;

    /// <summary>Strong entity tag of the record, quoted, e.g. <c>"Kq3…"</c> (the envelope's GCM tag, so every copy of the envelope has it).</summary>
    public string ETag { get; }

    /// <summary>The strong entity tag of the gzip representation.</summary>
    public string GzipETag { get; }

    /// <summary>A binary proof's C2PA identifiers (manifest id and soft bindings); <see langword="null"/> for a JSON proof.</summary>
    public C2paIdentifiers? C2pa { get; }

    /// <summary>Size of the object as kept by the provider (envelope bytes).</summary>
    public long StoredBytes => _envelopeLength;

    /// <summary>What this entry costs the L1 byte budget: the byte forms it holds and the per-entry overhead.</summary>
    public long CacheSize => (long)_recordLength + _gzipLength + _envelopeLength + OverheadBytes;

    /// <summary>
    /// The proof document on its own (what the manifest route serves): a binary record's content as stored (a slice of
    /// the native block, no copy), or the document a JSON record holds (read out of it on each call, see
    /// <see cref="ProofRecord.ReadProofDocument"/>). The content is readable while this document is.
    /// </summary>
    public ProofDocumentContent ReadContent() => _mediaType is not null
        ? new ProofDocumentContent(_mediaType, _bytes.Slice(_contentOffset, _recordLength - _contentOffset))
        : ProofRecord.ReadProofDocument(Record);

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

    private static NativeBuffer Copy(ReadOnlySpan<byte> record, ReadOnlySpan<byte> gzip, ReadOnlySpan<byte> envelope)
    {
        var block = NativeBuffer.Allocate(checked(record.Length + gzip.Length + envelope.Length));
        var target = block.GetSpan();
        record.CopyTo(target);
        gzip.CopyTo(target[record.Length..]);
        envelope.CopyTo(target[(record.Length + gzip.Length)..]);
        return block;
    }
}
