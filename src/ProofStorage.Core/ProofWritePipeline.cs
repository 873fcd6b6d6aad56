using System.Diagnostics;
using Microsoft.Extensions.Options;
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
/// before the duplicate check. A second kind of proof (a raw binary body) is another case of <see cref="Validate"/>
/// and of <see cref="ProofRecord"/>, not a second pipeline.
/// </remarks>
public sealed class ProofWritePipeline
{
    /// <summary>The request field a proof value error is reported under.</summary>
    public const string ProofField = "proof";

    /// <summary>The request field a media type error is reported under.</summary>
    public const string MediaTypeField = "proofMediaType";

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
    /// <c>proof</c>, <c>proofMediaType</c>) for a proof that cannot be stored and <see cref="ProofTooLargeException"/>
    /// when its record would exceed <c>MaxRecordBytes</c>; in both cases nothing was built.
    /// </summary>
    public ValidatedProof Validate(StoreProofCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);

        // VALIDATE: one JSON value within the depth limit; a media type that is well formed and fits the value.
        // Media types are case-insensitive: the record holds one spelling.
        var mediaType = command.ProofMediaType?.ToLowerInvariant();
        if (!ProofRecord.IsSingleJsonValue(command.Proof.Span, _options.MaxProofDepth))
        {
            throw new ProofValidationException(ProofField,
                $"The proof must be a single JSON value nested at most {_options.MaxProofDepth} levels deep.");
        }

        if (ProofMediaTypes.Check(mediaType, command.Proof.Span) is { } mediaTypeError)
        {
            throw new ProofValidationException(MediaTypeField, mediaTypeError);
        }

        // HASH: the image hash names the proof, and the proof id its object.
        var proofId = DedupProtocol.ProofIdFor(command.ImageHash);

        // RECORD (its size only): refused before a byte of it exists.
        var recordLength = ProofRecord.Length(proofId, command.ImageHash, command.Metadata, command.Proof.Length, mediaType);
        if (recordLength > _options.MaxRecordBytes)
        {
            throw new ProofTooLargeException(recordLength, _options.MaxRecordBytes);
        }

        return new ValidatedProof(proofId, DedupProtocol.ProofKey(proofId), command with { ProofMediaType = mediaType }, recordLength);
    }

    /// <summary>Builds what the provider will hold for a validated proof: the record, sealed for its object key.</summary>
    public PreparedProof Prepare(ValidatedProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var command = proof.Command;

        // RECORD: canonical JSON around the proof bytes as sent, stamped now unless the command carries a time.
        var createdAt = TruncateToMilliseconds(command.CreatedAt ?? _time.GetUtcNow());
        var record = ProofRecord.Write(proof.ProofId, command.ImageHash, createdAt, command.Metadata, command.Proof.Span, command.ProofMediaType);
        Debug.Assert(record.Length == proof.RecordLength, "ProofRecord.Length disagrees with ProofRecord.Write");

        // COMPRESS + ENCRYPT
        var sealedEnvelope = _codec.Seal(record, proof.ObjectKey);
        return new PreparedProof(proof.ProofId, proof.ObjectKey, command.ImageHash, createdAt, record, sealedEnvelope);
    }

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond), value.Offset);
}

/// <summary>A proof that may be stored, and where: nothing of it is built yet.</summary>
/// <param name="ProofId">Derived from the image hash.</param>
/// <param name="ObjectKey">The provider key of the proof (<c>proofs/{id}</c>).</param>
/// <param name="Command">The request, its media type in its one stored spelling.</param>
/// <param name="RecordLength">The exact size of the record <see cref="ProofWritePipeline.Prepare"/> will build.</param>
public sealed record ValidatedProof(string ProofId, string ObjectKey, StoreProofCommand Command, long RecordLength);

/// <summary>What a store writes: the record and its envelope (the bytes for the provider, their gzip form and ETag).</summary>
public sealed record PreparedProof(string ProofId, string ObjectKey, ImageHash ImageHash, DateTimeOffset CreatedAt, byte[] Record,
    SealedEnvelope Envelope)
{
    /// <summary>The document the store serves once the envelope is written.</summary>
    public ProofDocument ToDocument() => new(ProofId, ImageHash, CreatedAt, Record, Envelope.Compressed, Envelope.ETag, Envelope.Envelope);
}
