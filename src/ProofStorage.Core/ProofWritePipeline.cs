using System.Diagnostics;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Buffers;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;

namespace ProofStorage.Core;

/// <summary>
/// The one way a proof becomes the object a provider stores: <see cref="Validate"/> (VALIDATE, HASH, and the
/// record's size from its parts) then <see cref="Prepare"/> (RECORD, COMPRESS, ENCRYPT). <see cref="StorageManager"/>
/// stores what it prepares; the migration's dry run estimates from the same preparation. Thread-safe.
/// </summary>
/// <remarks>
/// Two steps so the caller can answer a duplicate between them without building anything: validation is cheap and
/// allocates nothing of the proof's size, while the record, its gzip and its envelope are built only for a proof
/// about to be written. Validity never depends on what is cached: a proof is judged (value, depth, media type, size)
/// before the duplicate check. The second kind of proof, a C2PA manifest store sent as its raw bytes
/// (<see cref="ProofKind.ManifestStore"/>), is another case of <see cref="Validate"/> (the strict JUMBF reader instead of
/// the JSON checks, its identifiers read out) and of <see cref="ProofRecord"/> (the binary layout), not a second pipeline.
/// </remarks>
public sealed class ProofWritePipeline
{
    /// <summary>The request field a proof value error is reported under.</summary>
    public const string ProofField = "proof";

    /// <summary>The request field a media type error is reported under.</summary>
    public const string MediaTypeField = "proofMediaType";

    /// <summary>The request field an image hash error is reported under.</summary>
    public const string ImageHashField = "imageHash";

    /// <summary>The request field a soft binding error is reported under.</summary>
    public const string SoftBindingField = "softBinding";

    private readonly ProofEnvelopeCodec _codec;
    private readonly TimeProvider _time;
    private readonly ProofStorageOptions _options;

    public ProofWritePipeline(ProofEnvelopeCodec codec, TimeProvider time, IOptions<ProofStorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _codec = codec ?? throw new ArgumentNullException(nameof(codec));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = options.Value;
    }

    /// <summary>
    /// Judges a proof and derives where it goes. Throws <see cref="ProofValidationException"/> (fields
    /// <c>proof</c>, <c>proofMediaType</c>, <c>imageHash</c>, <c>softBinding</c>) for a proof that cannot be stored,
    /// <see cref="ManifestStoreFormatException"/> for a manifest store the JUMBF reader refuses, and
    /// <see cref="ProofTooLargeException"/> when its record would exceed <c>MaxRecordBytes</c>; in every case nothing was built.
    /// </summary>
    public ValidatedProof Validate(StoreProofCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Kind == ProofKind.ManifestStore ? ValidateManifestStore(command) : ValidateJson(command);
    }

    private ValidatedProof ValidateJson(StoreProofCommand command)
    {
        // VALIDATE: one JSON value within the depth limit; a media type that is well formed and fits the value.
        // Media types are case-insensitive: the record holds one spelling.
        var mediaType = command.ProofMediaType?.ToLowerInvariant();
        if (command.ImageHash is not { } imageHash)
        {
            throw new ProofValidationException(ImageHashField, "A JSON proof is stored for an image: imageHash is required.");
        }

        // Walked once: by the request parser when it hands on the checked bytes, else here.
        var maxDepth = _options.MaxProofDepth;
        if (!(command.CheckedJson is { } walked && walked.Covers(command.Proof, maxDepth)) && !JsonProofRule.IsSingleValue(command.Proof.Span, maxDepth))
        {
            throw new ProofValidationException(ProofField,
                $"The proof must be a single JSON value nested at most {_options.MaxProofDepth} levels deep.");
        }

        if (ProofMediaTypes.Check(mediaType, command.Proof.Span) is { } mediaTypeError)
        {
            throw new ProofValidationException(MediaTypeField, mediaTypeError);
        }

        // HASH: the image hash names the proof, and the proof id its object.
        var proofId = DedupProtocol.ProofIdFor(imageHash);

        // RECORD (its size only): refused before a byte of it exists.
        var recordLength = ProofRecord.Length(proofId, imageHash, command.Metadata, command.Proof.Length, mediaType);
        if (recordLength > _options.MaxRecordBytes)
        {
            throw new ProofTooLargeException(recordLength, _options.MaxRecordBytes);
        }

        return new ValidatedProof(proofId, DedupProtocol.ProofKey(proofId), command with { ProofMediaType = mediaType }, recordLength);
    }

    private ValidatedProof ValidateManifestStore(StoreProofCommand command)
    {
        // VALIDATE: never parse more than a record may hold; then the strict JUMBF reader (it throws
        // ManifestStoreFormatException for anything that is not a C2PA manifest store).
        if (command.Proof.Length > _options.MaxRecordBytes)
        {
            throw new ProofTooLargeException(command.Proof.Length, _options.MaxRecordBytes);
        }

        var store = ManifestStore.Parse(command.Proof);
        var identifiers = new C2paIdentifiers(store.ActiveManifest.Label, SoftBindingsOf(command.SoftBindings, store.ActiveManifest.SoftBindings));
        if (identifiers.SoftBindings.Count > SoftBinding.MaxPerProof)
        {
            throw new ProofValidationException(SoftBindingField,
                $"A manifest store carries at most {SoftBinding.MaxPerProof} soft bindings (given and declared by its active manifest together); this one has more.");
        }

        // HASH: the image hash names the proof when there is one, else the active manifest's id does.
        var proofId = command.ImageHash is { } imageHash ? DedupProtocol.ProofIdFor(imageHash) : DedupProtocol.ProofIdForManifest(identifiers.ManifestId);

        // RECORD (its size only): the header is small, the content counted by its length.
        var recordLength = ProofRecord.BinaryLength(proofId, command.ImageHash, command.Metadata, ProofMediaTypes.C2pa, identifiers, command.Proof.Length);
        if (recordLength > _options.MaxRecordBytes)
        {
            throw new ProofTooLargeException(recordLength, _options.MaxRecordBytes);
        }

        return new ValidatedProof(proofId, DedupProtocol.ProofKey(proofId), command with { ProofMediaType = ProofMediaTypes.C2pa }, recordLength)
        {
            C2pa = identifiers,
        };
    }

    /// <summary>
    /// The bindings a manifest store is indexed under: those given with it, then those its active manifest declares in its
    /// <c>c2pa.soft-binding</c> assertions (the signed claim of the same thing), each once. A declared binding whose
    /// algorithm is not on the list, or whose value is not base64, is not indexed: no query could name it. Collecting stops
    /// at the first binding past <see cref="SoftBinding.MaxPerProof"/> (the store is refused then), so each value read costs
    /// at most that many comparisons: a manifest declaring 870,000 distinct values (10 MB) is not 870,000 squared.
    /// </summary>
    internal static List<SoftBinding> SoftBindingsOf(IEnumerable<SoftBinding> given, IEnumerable<C2paSoftBinding> declared)
    {
        var bindings = new List<SoftBinding>(SoftBinding.MaxPerProof + 1);
        var candidates = given.Concat(declared.Select(value => SoftBinding.TryCreate(value.Alg, value.Value, out var binding, out _) ? binding : null));
        foreach (var binding in candidates)
        {
            if (binding is not null && !bindings.Contains(binding))
            {
                bindings.Add(binding);
                if (bindings.Count > SoftBinding.MaxPerProof)
                {
                    break;
                }
            }
        }

        return bindings;
    }

    /// <summary>
    /// Builds what the provider will hold for a validated proof: the record, sealed for its object key. The record (JSON,
    /// or the binary layout around a manifest store's bytes), its gzip form and the envelope are written straight into
    /// one native block (record | gzip | envelope, the layout of a cached <see cref="ProofDocument"/>; a binary record
    /// keeps no gzip, so its envelope is moved down over it): no managed buffer the size of the proof is allocated or
    /// copied, and the block becomes the cached document as it is. The caller disposes the result (or takes its document).
    /// </summary>
    public unsafe PreparedProof Prepare(ValidatedProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var command = proof.Command;
        var recordLength = checked((int)proof.RecordLength);
        var gzipBound = ProofEnvelopeCodec.GzipBound(recordLength);

        // One block large enough for the record as the JSON writer fills it, then for record | gzip | envelope; only the
        // pages written become resident, and the tail goes back to the allocator once the sizes are known.
        var slack = proof.C2pa is null ? ProofRecord.WriterSlack(proof.ProofId, command.Metadata, command.ProofMediaType) : 0;
        var capacity = Math.Max(recordLength + slack, recordLength + gzipBound + _codec.EnvelopeLength(gzipBound));
        var block = NativeBuffer.Allocate(capacity);
        try
        {
            // RECORD: canonical JSON around the proof bytes as sent (or the binary layout around a manifest store's
            // bytes), stamped now unless the command carries a time.
            var createdAt = TruncateToMilliseconds(command.CreatedAt ?? _time.GetUtcNow());
            var span = block.GetSpan();
            ProofRecordHeader header;
            if (proof.C2pa is { } identifiers)
            {
                var written = ProofRecord.WriteBinaryTo(span, proof.ProofId, command.ImageHash, createdAt, command.Metadata, ProofMediaTypes.C2pa,
                    identifiers, command.Proof.Span);
                Debug.Assert(written == recordLength, "ProofRecord.BinaryLength disagrees with ProofRecord.WriteBinary");
                header = ProofRecord.ReadHeader(span[..recordLength]);
            }
            else
            {
                var writer = new FixedBufferWriter(block.WritableMemory);
                ProofRecord.WriteTo(writer, proof.ProofId, command.ImageHash!.Value, createdAt, command.Metadata, command.Proof.Span, command.ProofMediaType);
                Debug.Assert(writer.Written == recordLength, "ProofRecord.Length disagrees with ProofRecord.Write");
                header = new ProofRecordHeader(proof.ProofId, command.ImageHash, createdAt);
            }

            // COMPRESS
            var gzipLength = _codec.GzipInto(span[..recordLength], block.Pointer + recordLength, gzipBound);

            // ENCRYPT
            var envelopeLength = _codec.EnvelopeLength(gzipLength);
            var etag = _codec.Encrypt(span.Slice(recordLength, gzipLength), proof.ObjectKey, span.Slice(recordLength + gzipLength, envelopeLength));

            // A binary record is never served compressed: its envelope takes the gzip's place (an overlapping move
            // within the block).
            var keptGzip = header.Format == ProofRecordFormat.Binary ? 0 : gzipLength;
            if (keptGzip != gzipLength)
            {
                span.Slice(recordLength + gzipLength, envelopeLength).CopyTo(span[recordLength..]);
            }

            block.Shrink(recordLength + keptGzip + envelopeLength);
            var document = new ProofDocument(header, etag, block, recordLength, keptGzip, envelopeLength);
            return new PreparedProof(proof.ProofId, proof.ObjectKey, document, gzipLength);
        }
        catch
        {
            block.Release();
            throw;
        }
    }

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond), value.Offset);
}

/// <summary>A proof that may be stored, and where: nothing of it is built yet.</summary>
/// <param name="ProofId">Derived from the image hash (or, for a manifest store without one, from its manifest id).</param>
/// <param name="ObjectKey">The provider key of the proof (<c>proofs/{id}</c>).</param>
/// <param name="Command">The request, its media type in its one stored spelling.</param>
/// <param name="RecordLength">The exact size of the record <see cref="ProofWritePipeline.Prepare"/> will build.</param>
public sealed record ValidatedProof(string ProofId, string ObjectKey, StoreProofCommand Command, long RecordLength)
{
    /// <summary>For a manifest store: what it is found by (the index objects a store writes); <see langword="null"/> for a JSON proof.</summary>
    public C2paIdentifiers? C2pa { get; init; }
}

/// <summary>
/// What a store writes: the record, its gzip form and the envelope for the provider, as the document the store serves
/// once the envelope is written. Owns that document: dispose it, unless <see cref="TakeDocument"/> handed it on.
/// </summary>
public sealed class PreparedProof(string proofId, string objectKey, ProofDocument document, int compressedLength) : IDisposable
{
    private ProofDocument? _document = document;

    public string ProofId { get; } = proofId;

    /// <summary>The provider key of the proof (<c>proofs/{id}</c>).</summary>
    public string ObjectKey { get; } = objectKey;

    /// <summary>The image hash the proof is stored for (<see langword="null"/> for a manifest store stored without one).</summary>
    public ImageHash? ImageHash => Document.ImageHash;

    public DateTimeOffset CreatedAt => Document.CreatedAt;

    /// <summary>The canonical record (JSON or binary).</summary>
    public ReadOnlyMemory<byte> Record => Document.Record;

    /// <summary>The gzip form of a JSON record; empty for a binary record (not kept, see <see cref="CompressedLength"/>).</summary>
    public ReadOnlyMemory<byte> Compressed => Document.Gzip;

    /// <summary>The size of the record's gzip form, the envelope's plaintext (kept in the document for a JSON record only).</summary>
    public int CompressedLength { get; } = compressedLength;

    /// <summary>The bytes the provider stores.</summary>
    public ReadOnlyMemory<byte> Envelope => Document.Envelope;

    /// <summary>The ETag of the record (from the envelope's GCM tag).</summary>
    public string ETag => Document.ETag;

    private ProofDocument Document => _document ?? throw new ObjectDisposedException(nameof(PreparedProof));

    /// <summary>The document the store serves once the envelope is written; the caller owns it from now on.</summary>
    public ProofDocument TakeDocument() => Interlocked.Exchange(ref _document, null) ?? throw new ObjectDisposedException(nameof(PreparedProof));

    public void Dispose() => Interlocked.Exchange(ref _document, null)?.Dispose();
}
