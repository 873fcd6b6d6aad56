using System.Text.Json;

namespace ProofStorage.Core.Codec;

/// <summary>
/// The one place that turns a stored object into verified content: a proof (envelope opened, record read, its id the one
/// its key names) or an alias (envelope opened, the proof id it holds). The store's read path, the scrub and
/// re-encryption all open objects here, so they agree on what "a good copy" is.
/// </summary>
public static class StoredObjects
{
    /// <summary>
    /// Opens the proof stored under <c>proofs/{<paramref name="proofId"/>}</c>. Throws <see cref="ProofIntegrityException"/>
    /// when the envelope fails, the record is not a proof record, or it belongs to another proof.
    /// </summary>
    public static (OpenedEnvelope Opened, ProofRecordHeader Header) OpenProof(ProofEnvelopeCodec codec, ReadOnlySpan<byte> content, string key,
        string proofId, int maxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(codec);
        var opened = codec.Open(content, key, maxRecordBytes);
        ProofRecordHeader header;
        try
        {
            header = ProofRecord.ReadHeader(opened.Record);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            throw new ProofIntegrityException(IntegrityFailureKind.CorruptPayload, key, "The decrypted record is not a valid proof record.", ex);
        }

        return header.ProofId == proofId
            ? (opened, header)
            : throw new ProofIntegrityException(IntegrityFailureKind.CorruptPayload, key, "The record stored under this key belongs to another proof.");
    }

    /// <summary>Opens an alias object and returns the proof id it names; <see cref="ProofIntegrityException"/> when it is not a valid alias.</summary>
    public static (OpenedEnvelope Opened, string ProofId) OpenAlias(ProofEnvelopeCodec codec, ReadOnlySpan<byte> content, string key, int maxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(codec);
        var opened = codec.Open(content, key, maxRecordBytes);
        AliasRecord? alias;
        try
        {
            alias = JsonSerializer.Deserialize<AliasRecord>(opened.Record);
        }
        catch (JsonException ex)
        {
            throw new ProofIntegrityException(IntegrityFailureKind.CorruptPayload, key, "The alias record is invalid.", ex);
        }

        return alias is not null && Model.ProofIds.IsNativeShape(alias.ProofId)
            ? (opened, alias.ProofId)
            : throw new ProofIntegrityException(IntegrityFailureKind.CorruptPayload, key, "The alias record is invalid.");
    }

    /// <summary>The record of an alias naming <paramref name="proofId"/>, before sealing.</summary>
    public static byte[] AliasRecordFor(string proofId) => JsonSerializer.SerializeToUtf8Bytes(new AliasRecord(proofId));

    private sealed record AliasRecord(string ProofId);
}
