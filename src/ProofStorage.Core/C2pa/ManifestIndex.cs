using System.Text.Json;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Storage;

namespace ProofStorage.Core.C2pa;

/// <summary>
/// The C2PA lookups kept in the provider's own key space (layout in <see cref="DedupProtocol"/>): for every proof that is
/// a manifest store, one object per soft binding (<c>bindings/{B}/{proofId}</c>) and one for its manifest id
/// (<c>manifests/{M}/{proofId}</c>). No separate database: an index object is created with create-if-absent (instances
/// racing on one value each create their own object, never the same one), found by listing the value's folder, and
/// deleted with its proof. Thread-safe.
/// </summary>
/// <remarks>
/// <para>Each object is sealed like every other (gzip + AES-256-GCM, its own key as associated data) around a small JSON
/// record naming what it indexes (<c>{"proofId","alg","value"}</c> or <c>{"proofId","manifestId"}</c>), so the bucket
/// holds no plaintext value and a checker can verify an object without the proof (<see cref="Open"/>). Lookups do not read
/// these bodies: the key names the proof, and the proof's own record (which lists its identifiers) is what a lookup
/// trusts, so an object left behind by a crash or a race (its proof gone or not declaring the value) is never a match.</para>
/// <para>Order of writes: a store creates the index objects before the proof, and a delete removes the proof before them.
/// A crash in between leaves at worst index objects whose proof is missing, which lookups skip and a scrub may remove;
/// never a stored proof its bindings cannot find.</para>
/// </remarks>
public sealed class ManifestIndex
{
    private readonly IStorageProvider _storage;
    private readonly ProofEnvelopeCodec _codec;

    public ManifestIndex(IStorageProvider storage, ProofEnvelopeCodec codec)
    {
        _storage = storage ?? throw new ArgumentNullException(nameof(storage));
        _codec = codec ?? throw new ArgumentNullException(nameof(codec));
    }

    /// <summary>The index objects of a proof: key and (unsealed) record, the manifest id's first.</summary>
    public static IEnumerable<(string Key, byte[] Record)> EntriesFor(string proofId, C2paIdentifiers identifiers)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        yield return (DedupProtocol.ManifestKey(identifiers.ManifestId, proofId),
            JsonSerializer.SerializeToUtf8Bytes(new IndexRecord(proofId, null, null, identifiers.ManifestId), IndexJson.Default.IndexRecord));
        foreach (var binding in identifiers.SoftBindings)
        {
            yield return (DedupProtocol.BindingKey(binding, proofId),
                JsonSerializer.SerializeToUtf8Bytes(new IndexRecord(proofId, binding.Alg, binding.Value, null), IndexJson.Default.IndexRecord));
        }
    }

    /// <summary>
    /// Creates every index object of a proof that does not exist yet (create-if-absent, concurrently). Throws
    /// <see cref="StorageUnavailableException"/> when the provider does not acknowledge one; those already created stay
    /// (harmless: lookups check the proof).
    /// </summary>
    public Task CreateAsync(string proofId, C2paIdentifiers identifiers, CancellationToken cancellationToken) =>
        Task.WhenAll(EntriesFor(proofId, identifiers).Select(entry =>
            _storage.CreateIfAbsentAsync(entry.Key, _codec.Seal(entry.Record, entry.Key).Envelope, ObjectMetadata.None, cancellationToken)));

    /// <summary>Deletes every index object of a proof (concurrently; a missing one is fine).</summary>
    public Task DeleteAsync(string proofId, C2paIdentifiers identifiers, CancellationToken cancellationToken) =>
        Task.WhenAll(EntriesFor(proofId, identifiers).Select(entry => _storage.DeleteAsync(entry.Key, cancellationToken)));

    /// <summary>The proofs indexed under a value's folder (<see cref="DedupProtocol.BindingPrefix"/> or <see cref="DedupProtocol.ManifestPrefix"/>), in ordinal order.</summary>
    public async Task<IReadOnlyList<string>> ProofIdsAsync(string prefix, CancellationToken cancellationToken)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var key in _storage.ListKeysAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            // Only direct children of the folder name a proof.
            if (key.LastIndexOf('/') == prefix.Length - 1 && DedupProtocol.IndexedProofId(key) is { } proofId)
            {
                ids.Add(proofId);
            }
        }

        return [.. ids];
    }

    /// <summary>
    /// Opens and checks an index object read from <paramref name="key"/>: the envelope authenticates under that key, and the
    /// record it holds is the one <see cref="EntriesFor"/> writes for that key (the same proof id, and a value whose digest
    /// is the key's folder). Throws <see cref="ProofIntegrityException"/> otherwise. For tools that verify the store (a scrub);
    /// whether the proof still exists and declares the value is theirs to ask.
    /// </summary>
    public static IndexEntry Open(ProofEnvelopeCodec codec, string key, ReadOnlySpan<byte> content, int maxRecordBytes) =>
        StoredObjects.OpenIndex(codec, content, key, maxRecordBytes).Entry;

    /// <summary>Reads the (opened) record of the index object under <paramref name="key"/>; see <see cref="Open"/>.</summary>
    internal static IndexEntry Read(ReadOnlySpan<byte> record, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        IndexRecord? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(record, IndexJson.Default.IndexRecord);
        }
        catch (JsonException ex)
        {
            throw new ProofIntegrityException(IntegrityFailureKind.CorruptPayload, key, "The index record is not valid JSON.", ex);
        }

        SoftBinding? binding = null;
        try
        {
            if (parsed is { Alg: { } alg, Value: { } value })
            {
                binding = SoftBinding.FromRecord(alg, value);
            }
        }
        catch (FormatException ex)
        {
            throw new ProofIntegrityException(IntegrityFailureKind.CorruptPayload, key, "The index record's value is not base64.", ex);
        }

        var expected = parsed is null ? null
            : binding is not null ? DedupProtocol.BindingKey(binding, parsed.ProofId)
            : parsed.ManifestId is { } manifestId ? DedupProtocol.ManifestKey(manifestId, parsed.ProofId)
            : null;
        return expected == key
            ? new IndexEntry(parsed!.ProofId, binding, parsed.ManifestId)
            : throw new ProofIntegrityException(IntegrityFailureKind.CorruptPayload, key, "The index record does not belong under this key.");
    }

    internal sealed record IndexRecord(string ProofId, string? Alg, string? Value, string? ManifestId);
}

/// <summary>What one index object says: proof <paramref name="ProofId"/> carries <paramref name="Binding"/>, or has the active manifest <paramref name="ManifestId"/>.</summary>
public sealed record IndexEntry(string ProofId, SoftBinding? Binding, string? ManifestId);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ManifestIndex.IndexRecord))]
internal sealed partial class IndexJson : System.Text.Json.Serialization.JsonSerializerContext;
