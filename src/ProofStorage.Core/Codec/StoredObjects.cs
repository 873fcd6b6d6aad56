using System.Text.Json;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Dedup;

namespace ProofStorage.Core.Codec;

/// <summary>
/// The one place that turns a stored object into verified content: a proof (envelope opened, record read, its id the one
/// its key names), an alias (envelope opened, the proof id it holds) or a C2PA index object (envelope opened, its record
/// the one its key names). The store's read path, the scrub, the key census and re-encryption all open objects here, so
/// they agree on what "a good copy" is.
/// </summary>
public static class StoredObjects
{
    /// <summary>
    /// The folders of sealed objects, which the walks over the whole store visit: aliases, proofs, and the C2PA index
    /// (<see cref="DedupProtocol.BindingsPrefix"/>, <see cref="DedupProtocol.ManifestsPrefix"/>). Tombstones are not
    /// sealed (they hold no proof data) and are not listed here.
    /// </summary>
    public static IReadOnlyList<string> Folders { get; } =
        [DedupProtocol.AliasPrefix, DedupProtocol.ProofPrefix, DedupProtocol.BindingsPrefix, DedupProtocol.ManifestsPrefix];

    /// <summary>
    /// Opens the object under <paramref name="key"/>, whichever of <see cref="Folders"/> it is in. <c>NamedProofId</c> is
    /// the proof an alias or index object points to (null for a proof). Throws <see cref="ProofIntegrityException"/> as the
    /// specific opener does, <see cref="ArgumentException"/> for a key outside those folders.
    /// </summary>
    public static (OpenedEnvelope Opened, string? NamedProofId) Open(ProofEnvelopeCodec codec, ReadOnlySpan<byte> content, string key, int maxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.StartsWith(DedupProtocol.ProofPrefix, StringComparison.Ordinal))
        {
            return (OpenProof(codec, content, key, key[DedupProtocol.ProofPrefix.Length..], maxRecordBytes).Opened, null);
        }

        if (key.StartsWith(DedupProtocol.AliasPrefix, StringComparison.Ordinal))
        {
            var (opened, proofId) = OpenAlias(codec, content, key, maxRecordBytes);
            return (opened, proofId);
        }

        if (key.StartsWith(DedupProtocol.BindingsPrefix, StringComparison.Ordinal) || key.StartsWith(DedupProtocol.ManifestsPrefix, StringComparison.Ordinal))
        {
            var (opened, entry) = OpenIndex(codec, content, key, maxRecordBytes);
            return (opened, entry.ProofId);
        }

        throw new ArgumentException($"'{key}' is in none of the folders of sealed objects ({string.Join(", ", Folders)}).", nameof(key));
    }

    /// <summary>
    /// Opens a C2PA index object (<c>bindings/…</c> or <c>manifests/…</c>): the envelope authenticates under its key, and the
    /// record is the one <see cref="ManifestIndex.EntriesFor"/> writes for that key. <see cref="ProofIntegrityException"/> otherwise.
    /// </summary>
    public static (OpenedEnvelope Opened, IndexEntry Entry) OpenIndex(ProofEnvelopeCodec codec, ReadOnlySpan<byte> content, string key, int maxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(codec);
        var opened = codec.Open(content, key, maxRecordBytes);
        return (opened, ManifestIndex.Read(opened.Record, key));
    }

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
