using ProofStorage.Core.Codec;

namespace ProofStorage.Core.Model;

/// <summary>
/// A verified, decrypted proof ready to serve: the record exactly as stored, its gzip form (served as it is to clients
/// that accept gzip), the envelope the provider holds (what the shared cache level stores, so it never seals anything a
/// second time) and a strong ETag. Immutable; this is what the L1 cache holds, so a cache hit costs no parsing, no
/// decompression and no serialisation.
/// </summary>
/// <remarks>
/// A record is JSON (a proof stored as JSON) or binary (a C2PA manifest store stored as its raw bytes, see
/// <see cref="ProofRecord"/>). A binary proof's document is a slice of its record (<see cref="ReadContent"/> costs
/// nothing), and its gzip form is not kept: only the JSON record is ever served compressed as stored.
/// </remarks>
public sealed class ProofDocument
{
    /// <summary>Bytes counted per entry on top of the payloads (object headers, strings, cache bookkeeping).</summary>
    internal const int OverheadBytes = 320;

    private readonly ProofDocumentContent? _content;

    /// <summary>A proof whose record is JSON.</summary>
    public ProofDocument(string proofId, ImageHash? imageHash, DateTimeOffset createdAt, ReadOnlyMemory<byte> json,
        ReadOnlyMemory<byte> gzip, string etag, ReadOnlyMemory<byte> envelope)
    {
        ProofId = proofId;
        ImageHash = imageHash;
        CreatedAt = createdAt;
        Record = json;
        Gzip = gzip;
        ETag = etag;
        Envelope = envelope;
    }

    private ProofDocument(ProofRecordHeader header, ReadOnlyMemory<byte> record, string etag, ReadOnlyMemory<byte> envelope)
    {
        ProofId = header.ProofId;
        ImageHash = header.ImageHash;
        CreatedAt = header.CreatedAt;
        Record = record;
        ETag = etag;
        Envelope = envelope;
        Format = ProofRecordFormat.Binary;
        C2pa = header.C2pa;
        _content = new ProofDocumentContent(header.MediaType!, record[header.ContentOffset..]);
    }

    /// <summary>
    /// The document for a record just opened (or just written) under the id <paramref name="proofId"/>, whose header was
    /// read with <see cref="ProofRecord.ReadHeader"/>; <paramref name="gzip"/> is dropped for a binary record.
    /// </summary>
    public static ProofDocument FromRecord(string proofId, ProofRecordHeader header, ReadOnlyMemory<byte> record, ReadOnlyMemory<byte> gzip, string etag,
        ReadOnlyMemory<byte> envelope)
    {
        ArgumentNullException.ThrowIfNull(header);
        return header.Format == ProofRecordFormat.Binary
            ? new ProofDocument(header with { ProofId = proofId }, record, etag, envelope)
            : new ProofDocument(proofId, header.ImageHash, header.CreatedAt, record, gzip, etag, envelope);
    }

    public string ProofId { get; }

    /// <summary>The image's SHA-256; <see langword="null"/> only for a manifest store stored without one.</summary>
    public ImageHash? ImageHash { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The record's layout: JSON, or binary (a manifest store kept as its raw bytes).</summary>
    public ProofRecordFormat Format { get; } = ProofRecordFormat.Json;

    /// <summary>The record exactly as stored (the plaintext of the envelope).</summary>
    public ReadOnlyMemory<byte> Record { get; }

    /// <summary>
    /// The record as JSON <c>{proofId, imageHash, createdAt, metadata, proof…}</c>, as the record route serves it. For a
    /// JSON record these are the stored bytes (<c>proof</c> byte for byte what was sent). For a binary record it is
    /// rendered on each call, the manifest store as a base64 <c>proof</c>: use <see cref="ReadContent"/> for its bytes.
    /// </summary>
    public ReadOnlyMemory<byte> Json => Format == ProofRecordFormat.Json ? Record : ProofRecord.RenderJson(Record);

    /// <summary>The gzip encoding of a JSON record (a complete gzip member); empty for a binary record.</summary>
    public ReadOnlyMemory<byte> Gzip { get; }

    /// <summary>
    /// The stored object exactly as the provider holds it at <c>proofs/{ProofId}</c>: the record's gzip sealed with
    /// AES-256-GCM, the object key bound as associated data. Never served; it is what the distributed cache level keeps.
    /// </summary>
    public ReadOnlyMemory<byte> Envelope { get; }

    /// <summary>Strong entity tag of the record, quoted, e.g. <c>"Kq3…"</c> (the envelope's GCM tag, so every copy of the envelope has it).</summary>
    public string ETag { get; }

    /// <summary>The strong entity tag of the gzip representation.</summary>
    public string GzipETag => string.Concat(ETag.AsSpan(0, ETag.Length - 1), ".gz\"");

    /// <summary>A binary proof's C2PA identifiers (manifest id and soft bindings); <see langword="null"/> for a JSON proof.</summary>
    public C2paIdentifiers? C2pa { get; }

    /// <summary>Size of the object as kept by the provider (envelope bytes).</summary>
    public long StoredBytes => Envelope.Length;

    /// <summary>What this entry costs the L1 byte budget: the byte forms it holds and the per-entry overhead.</summary>
    public long CacheSize => Record.Length + Gzip.Length + Envelope.Length + OverheadBytes;

    /// <summary>
    /// The proof document on its own (what the manifest route serves): a binary record's content as stored (no copy), or
    /// the document a JSON record holds (read out of it on each call, see <see cref="ProofRecord.ReadProofDocument"/>).
    /// </summary>
    public ProofDocumentContent ReadContent() => _content ?? ProofRecord.ReadProofDocument(Record);
}
