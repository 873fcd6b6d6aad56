using System.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Access;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ProofStorage.Core.Storage;

namespace ProofStorage.Core;

/// <summary>
/// The one entry point of the store: coordinates the cache levels, the dedup protocol, the envelope codec and
/// the storage provider. Thread-safe singleton.
/// </summary>
/// <remarks>
/// Write path: <c>VALIDATE</c> + <c>HASH</c> (<see cref="ProofWritePipeline.Validate"/>: the proof is judged and its
/// id derived, nothing built) → <c>DEDUP</c> (a cached proof answers without any provider call) → <c>RECORD</c>
/// (canonical JSON, proof bytes verbatim) → <c>COMPRESS</c> + <c>ENCRYPT</c> (envelope; <see cref="ProofWritePipeline.Prepare"/>)
/// → <c>INDEX</c> (a manifest store only: its index objects, <see cref="ManifestIndex"/>) → <c>CREATE-IF-ABSENT</c> (one provider
/// write; losing the race means the existing proof wins). Read path: L1 → provider → verify (AES-GCM tag, record identity) → L1.
/// The C2PA lookups (by soft binding, by manifest id) are in <c>StorageManager.Manifests.cs</c>.
/// <para>Access tracking (when on) counts a read where a proof is handed out to a caller (<see cref="GetAsync"/>,
/// <see cref="GetByImageAsync"/>, <see cref="LookupAsync"/>, a URL handed out by <see cref="CreatePresignedUrlAsync"/>, and
/// <see cref="TryGetCached"/>, the cached read) and a duplicate where a store is
/// answered with the existing proof; the store's own lookup after a lost create race counts nothing.</para>
/// </remarks>
public sealed partial class StorageManager : IDisposable
{
    private const int MaxStoreAttempts = 3;
    private const string ProofIdTag = "proofstorage.proof_id";
    private const string DeduplicatedTag = "proofstorage.deduplicated";
    private const string FoundTag = "proofstorage.found";

    private readonly IStorageProvider _storage;
    private readonly ProofEnvelopeCodec _codec;
    private readonly IProofCache _cache;
    private readonly StorageStatistics _statistics;
    private readonly ILogger<StorageManager> _logger;
    private readonly ProofStorageOptions _options;
    private readonly ProofWritePipeline _pipeline;
    private readonly ManifestIndex _index;
    private readonly ProofAccessTracker? _access;
    private readonly ProofAccessTracking? _accessTracking;
    private readonly MemoryCache _aliases = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public StorageManager(IStorageProvider storage, ProofEnvelopeCodec codec, IProofCache cache, StorageStatistics statistics,
        TimeProvider time, IOptions<ProofStorageOptions> options, ILogger<StorageManager> logger, ProofAccessTracking? access = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _storage = storage;
        _codec = codec;
        _cache = cache;
        _statistics = statistics;
        _options = options.Value;
        _logger = logger;
        _pipeline = new ProofWritePipeline(codec, time, options);
        _index = new ManifestIndex(storage, codec);
        _accessTracking = access;
        _access = access?.Tracker;
    }

    /// <summary>The provider (or failover set) behind the store.</summary>
    public IStorageProvider Storage => _storage;

    /// <summary>How this store turns a proof into the object it writes; a dry run prepares with the same one.</summary>
    public ProofWritePipeline WritePipeline => _pipeline;

    /// <summary>
    /// Stores a proof for an image unless one exists already, in which case the existing proof is returned and
    /// nothing is written. Throws <see cref="ProofValidationException"/> for an invalid proof value or media type,
    /// <see cref="ManifestStoreFormatException"/> for a manifest store the JUMBF reader refuses,
    /// <see cref="ProofTooLargeException"/> over the size limit (all before anything is built or read) and
    /// <see cref="StorageUnavailableException"/> when the provider cannot acknowledge the write (then the proof is not stored).
    /// </summary>
    public async Task<StoreProofResult> StoreAsync(StoreProofCommand command, CancellationToken cancellationToken)
    {
        // VALIDATE + HASH (ProofWritePipeline): a refused proof costs no record, no cache or provider call.
        var proof = _pipeline.Validate(command);
        _statistics.DedupLookup();
        using var activity = ProofStorageActivities.Source.StartActivity("proofstorage.store");
        activity?.SetTag(ProofIdTag, proof.ProofId);
        try
        {
            var indexed = false;
            for (var attempt = 1; ; attempt++)
            {
                // DEDUP: a proof this instance has cached answers without building a record or touching the provider.
                if (_cache.TryGet(proof.ProofId, out var cached))
                {
                    return Deduplicated(cached, command, activity);
                }

                // RECORD + COMPRESS + ENCRYPT (ProofWritePipeline)
                using (var prepared = _pipeline.Prepare(proof))
                {
                    // INDEX: a manifest store's lookups exist before the proof does, so a stored proof is always findable
                    // (a crash here leaves only index objects without a proof, which lookups skip).
                    if (proof.C2pa is { } identifiers && !indexed)
                    {
                        await _index.CreateAsync(proof.ProofId, identifiers, cancellationToken).ConfigureAwait(false);
                        indexed = true;
                    }

                    // CREATE-IF-ABSENT: the provider arbitrates races, across threads and across instances.
                    var created = await _storage.CreateIfAbsentAsync(prepared.ObjectKey, prepared.Envelope, ObjectMetadata.None, cancellationToken)
                        .ConfigureAwait(false);
                    if (created)
                    {
                        _statistics.Created(prepared.Record.Length, prepared.CompressedLength, prepared.Envelope.Length);
                        activity?.SetTag(DeduplicatedTag, false);
                        var document = prepared.TakeDocument();
                        try
                        {
                            await _cache.SetAsync(document, cancellationToken).ConfigureAwait(false);
                        }
                        catch
                        {
                            document.Dispose();
                            throw;
                        }

                        Log.ProofStored(_logger, proof.ProofId, document.StoredBytes, _storage.Name);
                        return new StoreProofResult(document, Deduplicated: false);
                    }
                }

                var existing = await FindAsync(proof.ProofId, cancellationToken).ConfigureAwait(false);
                if (existing is not null)
                {
                    return Deduplicated(existing, command, activity);
                }

                if (attempt == MaxStoreAttempts)
                {
                    throw new StorageUnavailableException(_storage.Name,
                        "The proof for this image kept being created and deleted concurrently; retry the request.");
                }

                Log.DedupTargetVanished(_logger, proof.ProofId);
            }
        }
        catch (Exception ex) when (ProofStorageActivities.Failed(activity, ex))
        {
            throw;
        }
    }

    /// <summary>Stores many proofs, each independently: one failure does not affect the others.</summary>
    public async Task<IReadOnlyList<BatchItemOutcome>> StoreBatchAsync(IReadOnlyList<StoreProofCommand> commands, int maxParallelism,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var outcomes = new BatchItemOutcome[commands.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, commands.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallelism), CancellationToken = cancellationToken },
            async (index, token) =>
            {
                try
                {
                    outcomes[index] = new BatchItemOutcome(index, await StoreAsync(commands[index], token).ConfigureAwait(false), null);
                }
                catch (Exception ex) when (ex is ProofValidationException or ProofTooLargeException or StorageUnavailableException or ProofIntegrityException)
                {
                    outcomes[index] = new BatchItemOutcome(index, null, ex);
                }
            }).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>
    /// Returns the proof with this id (a native id, or a legacy id recorded as an alias), or <see langword="null"/>; the
    /// document is the caller's, to dispose, and a proof returned counts as a read of it. Throws
    /// <see cref="ProofIntegrityException"/> when the stored object fails verification.
    /// </summary>
    public async Task<ProofDocument?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var document = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (document is not null)
        {
            _access?.RecordRead(document.ProofId);
        }

        return document;
    }

    /// <summary>The lookup of <see cref="GetAsync"/> without counting a read (the store's own lookups).</summary>
    private async Task<ProofDocument?> FindAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        using var activity = ProofStorageActivities.Source.StartActivity("proofstorage.get");
        activity?.SetTag(ProofIdTag, id);
        try
        {
            ProofDocument? document = null;
            if (ProofIds.IsNativeShape(id))
            {
                document = await _cache.GetOrLoadAsync(id, LoadAsync, cancellationToken).ConfigureAwait(false);
            }

            if (document is null && await ResolveAliasAsync(id, cancellationToken).ConfigureAwait(false) is { } target)
            {
                document = await _cache.GetOrLoadAsync(target, LoadAsync, cancellationToken).ConfigureAwait(false);
            }

            activity?.SetTag(FoundTag, document is not null);
            return document;
        }
        catch (Exception ex) when (ProofStorageActivities.Failed(activity, ex))
        {
            throw;
        }
    }

    /// <summary>
    /// The proof with this native id when this instance's memory level holds it (counted as an L1 hit and as a read;
    /// the document is the caller's, to dispose), without an asynchronous hop; <see langword="false"/> sends the caller to <see cref="GetAsync"/>. While spans are recorded it
    /// always says <see langword="false"/>, so every read keeps its <c>proofstorage.get</c> span.
    /// </summary>
    public bool TryGetCached(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProofDocument? document)
    {
        ArgumentNullException.ThrowIfNull(id);
        document = null;
        if (!ProofIds.IsNativeShape(id) || ProofStorageActivities.Source.HasListeners() || !_cache.TryPeek(id, out document))
        {
            return false;
        }

        _access?.RecordRead(document.ProofId);
        return true;
    }

    /// <summary>Returns the proof stored for an image, or <see langword="null"/>; a proof returned counts as a read of it.</summary>
    public async Task<ProofDocument?> GetByImageAsync(ImageHash imageHash, CancellationToken cancellationToken)
    {
        var document = await _cache.GetOrLoadAsync(DedupProtocol.ProofIdFor(imageHash), LoadAsync, cancellationToken).ConfigureAwait(false);
        if (document is not null)
        {
            _access?.RecordRead(document.ProofId);
        }

        return document;
    }

    /// <summary>Returns the documents found, in request order, and the ids that were not.</summary>
    public async Task<(IReadOnlyList<ProofDocument> Found, IReadOnlyList<string> Missing)> LookupAsync(IReadOnlyList<string> ids,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var results = new ProofDocument?[ids.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (index, token) => results[index] = await GetAsync(ids[index], token).ConfigureAwait(false)).ConfigureAwait(false);
        var found = new List<ProofDocument>();
        var missing = new List<string>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (results[i] is { } document)
            {
                found.Add(document);
            }
            else
            {
                missing.Add(ids[i]);
            }
        }

        return (found, missing);
    }

    /// <summary>
    /// Deletes a proof (by native or legacy id), and the C2PA index objects of a manifest store. Afterwards both lookups
    /// miss and storing the image again creates a new proof. Returns what was deleted (the document, when it could be read
    /// first), or <see langword="null"/> when there was nothing to delete.
    /// </summary>
    /// <remarks>
    /// The proof is read first (from L1 when there, else from the provider) because its record says which index objects it has. It is deleted even
    /// when that read fails verification; its index objects then stay behind, which lookups skip (they check the proof). When the provider
    /// was read, its answer is the existence check: a proof it just returned is removed without asking again, one it does not hold is
    /// not deleted at all (an uncached delete is a GET and a DELETE on S3, a missing proof one GET). Not through a failover pair, whose
    /// own delete does what a member that could not be read needs. Two instances deleting one proof at once may both answer deleted.
    /// Index objects go after the proof, so a failure in between never leaves a proof its bindings cannot find.
    /// </remarks>
    public async Task<DeletedProof?> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        using var activity = ProofStorageActivities.Source.StartActivity("proofstorage.delete");
        activity?.SetTag(ProofIdTag, id);
        DeletedProof? deleted = null;
        if (ProofIds.IsNativeShape(id))
        {
            deleted = await DeleteProofAsync(id, cancellationToken).ConfigureAwait(false);
        }

        if (deleted is null && await ResolveAliasAsync(id, cancellationToken).ConfigureAwait(false) is { } target)
        {
            deleted = await DeleteProofAsync(target, cancellationToken).ConfigureAwait(false);
        }

        activity?.SetTag(FoundTag, deleted is not null);
        return deleted;
    }

    /// <summary>
    /// Deletes the proof stored under exactly this native id (no alias is followed), and its index objects, as
    /// <see cref="DeleteAsync"/> does; <see langword="null"/> when there was none.
    /// </summary>
    public async Task<DeletedProof?> DeleteProofAsync(string proofId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proofId);
        // READ what is about to go (from L1, else from the provider without caching it on its way out).
        var key = DedupProtocol.ProofKey(proofId);
        ImageHash? imageHash = null;
        C2paIdentifiers? c2pa = null;
        // What the provider just answered; unknown after an L1 hit (another instance may have deleted it since), a damaged
        // copy, or from a failover pair: its "not found" may come from one member while the other was unreachable, and
        // only its delete logs that member's pending delete (so the copy there cannot come back).
        bool? providerHasIt = null;
        try
        {
            var cachedHere = _cache.TryPeek(proofId, out var cached);
            using var document = cachedHere ? cached : await LoadAsync(proofId, cancellationToken).ConfigureAwait(false);
            (imageHash, c2pa) = (document?.ImageHash, document?.C2pa);
            providerHasIt = (cachedHere || _storage.GetCapability<IStorageReplicas>() is not null) ? null : document is not null;
        }
        catch (ProofIntegrityException)
        {
            // Counted and logged by the read; a damaged proof can still be deleted.
        }

        // DELETE: the provider's answer to the read stands in for the existence check a delete would otherwise make.
        var deleted = providerHasIt ?? await _storage.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        if (providerHasIt is true)
        {
            await _storage.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        }

        // Evict even when nothing was deleted here: another instance may have deleted it first.
        await _cache.RemoveAsync(proofId, cancellationToken).ConfigureAwait(false);
        if (!deleted)
        {
            return null;
        }

        Log.ProofDeleted(_logger, proofId);
        if (c2pa is { } identifiers)
        {
            ForgetManifestId(identifiers.ManifestId);
            try
            {
                await _index.DeleteAsync(proofId, identifiers, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                // The proof is gone, which is what the caller asked; lookups skip index objects whose proof is missing.
                Log.IndexCleanupFailed(_logger, ex, proofId);
            }
        }

        return new DeletedProof(proofId, imageHash, c2pa);
    }

    /// <summary>
    /// Records <paramref name="legacyId"/> as another name of <paramref name="proofId"/> (used by the migration so
    /// old ids keep working). Idempotent: an alias that already names the same proof is left alone. Throws
    /// <see cref="ProofValidationException"/> (field <c>legacyId</c>) for an id that cannot be an alias.
    /// </summary>
    public async Task<bool> RegisterAliasAsync(string legacyId, string proofId, CancellationToken cancellationToken)
    {
        if (!ProofIds.IsValid(legacyId) || ProofIds.IsNativeShape(legacyId) && legacyId == proofId)
        {
            throw new ProofValidationException("legacyId", "A legacy id is 1-128 characters of A-Z, a-z, 0-9, '_' or '-', other than the proof id.");
        }

        var key = DedupProtocol.AliasKey(legacyId);
        var body = StoredObjects.AliasRecordFor(proofId);
        var sealedEnvelope = _codec.Seal(body, key);
        var created = await _storage.CreateIfAbsentAsync(key, sealedEnvelope.Envelope, ObjectMetadata.None, cancellationToken).ConfigureAwait(false);
        if (!created)
        {
            var existing = await ResolveAliasAsync(legacyId, cancellationToken).ConfigureAwait(false);
            if (existing != proofId)
            {
                await _storage.PutAsync(key, sealedEnvelope.Envelope, ObjectMetadata.None, cancellationToken).ConfigureAwait(false);
                _aliases.Remove(legacyId);
            }
        }

        return created;
    }

    /// <summary>The provider's URL-signing capability, or <see langword="null"/> when it has none (the filesystem).</summary>
    public IPresignedUrlProvider? PresignedUrls => _storage.GetCapability<IPresignedUrlProvider>();

    /// <summary>
    /// A signed URL for the stored envelope of a proof (native or legacy id), or <see langword="null"/> when no
    /// such proof exists. Throws <see cref="NotSupportedException"/> when <see cref="PresignedUrls"/> is
    /// <see langword="null"/>, <see cref="ArgumentOutOfRangeException"/> for a lifetime the provider refuses.
    /// </summary>
    public async Task<PresignedUrl?> CreatePresignedUrlAsync(string id, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var signer = PresignedUrls ?? throw new NotSupportedException($"The storage provider {_storage.Name} cannot sign URLs.");

        // Signing is local and would happily sign a key that does not exist: ask the store first.
        using var document = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        return document is null
            ? null
            : await signer.CreatePresignedGetUrlAsync(DedupProtocol.ProofKey(document.ProofId), lifetime, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Statistics of the store and its cache.</summary>
    public StorageSnapshot GetStatistics() =>
        new(_cache.Snapshot(), _statistics.Dedup, _statistics.Compression, _statistics.Providers, _statistics.IntegrityFailures)
        {
            Access = _accessTracking?.Snapshot(),
        };

    /// <summary>Whether access tracking is on (<see cref="GetAccessAsync"/> answers only then).</summary>
    public bool AccessTrackingEnabled => _accessTracking is not null;

    /// <summary>
    /// How often a proof (native or legacy id) was read and stored again, and when last, as of the last flush of every
    /// instance; zero counts for a proof never touched, <see langword="null"/> when no such proof exists. Counts nothing
    /// itself. Throws <see cref="InvalidOperationException"/> when access tracking is off.
    /// </summary>
    public async Task<ProofAccessCounts?> GetAccessAsync(string id, CancellationToken cancellationToken)
    {
        var tracking = _accessTracking ?? throw new InvalidOperationException("Access tracking is off (ProofStorage:AccessTracking:Enabled).");
        var proofId = ProofIds.IsNativeShape(id) ? id : null;
        if (proofId is not null && await tracking.GetAsync(proofId, cancellationToken).ConfigureAwait(false) is { } counts)
        {
            return counts;
        }

        // Never counted under this id: a proof that exists (by this id or as an alias) has zero counts so far.
        var document = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return null;
        }

        return document.ProofId == proofId
            ? new ProofAccessCounts(document.ProofId, 0, 0, null, null)
            : await tracking.GetAsync(document.ProofId, cancellationToken).ConfigureAwait(false) ?? new ProofAccessCounts(document.ProofId, 0, 0, null, null);
    }

    private async Task<string?> ResolveAliasAsync(string legacyId, CancellationToken cancellationToken)
    {
        if (!ProofIds.IsValid(legacyId))
        {
            return null;
        }

        if (_aliases.TryGetValue(legacyId, out string? known))
        {
            return known;
        }

        var key = DedupProtocol.AliasKey(legacyId);
        var stored = await _storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        var alias = Open(stored.Content, key, content => StoredObjects.OpenAlias(_codec, content.Span, key, _options.MaxRecordBytes).ProofId);
        _aliases.Set(legacyId, alias, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });
        return alias;
    }

    private async Task<ProofDocument?> LoadAsync(string proofId, CancellationToken cancellationToken)
    {
        var key = DedupProtocol.ProofKey(proofId);
        var stored = await _storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
        _statistics.ProviderLookup(found: stored is not null);
        if (stored is null)
        {
            return null;
        }

        OpenedEnvelope opened;
        ProofRecordHeader header;
        try
        {
            (opened, header) = Open(stored.Content, key, content => StoredObjects.OpenProof(_codec, content.Span, key, proofId, _options.MaxRecordBytes));
        }
        catch (ProofIntegrityException) when (_storage.GetCapability<IStorageReplicas>() is { } replicas)
        {
            // The copy the provider handed out passed its own checks but not the envelope's (a flipped byte on a
            // filesystem member, say). Another member may hold a good copy: serve it. Repairing the bad one is the
            // scrub's job, which does it with the tombstone checks a delete racing the repair needs.
            var good = await OtherGoodCopyAsync(replicas, key, proofId, stored.Content, cancellationToken).ConfigureAwait(false);
            if (good is null)
            {
                throw;
            }

            (stored, opened, header) = good.Value;
        }

        return ProofDocument.FromRecord(proofId, header, opened.Record, opened.Compressed, opened.ETag, stored.Content);
    }

    /// <summary>Reads <paramref name="key"/> from each member of a composite provider and returns the first copy that opens.</summary>
    private async Task<(StoredObject Stored, OpenedEnvelope Opened, ProofRecordHeader Header)?> OtherGoodCopyAsync(IStorageReplicas replicas,
        string key, string proofId, ReadOnlyMemory<byte> badCopy, CancellationToken cancellationToken)
    {
        foreach (var replica in replicas.Replicas)
        {
            StoredObject? copy;
            try
            {
                copy = await replica.Provider.GetAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StorageUnavailableException or ProofIntegrityException)
            {
                continue;
            }

            if (copy is null || copy.Content.Span.SequenceEqual(badCopy.Span))
            {
                continue;
            }

            try
            {
                var (opened, header) = StoredObjects.OpenProof(_codec, copy.Content.Span, key, proofId, _options.MaxRecordBytes);
                Log.ServedOtherCopy(_logger, key, replica.Role);
                return (copy, opened, header);
            }
            catch (ProofIntegrityException ex)
            {
                _statistics.IntegrityFailure();
                Log.IntegrityFailure(_logger, key, replica.Provider.Name, ex.Kind);
            }
        }

        return null;
    }

    /// <summary>Opens a stored object through <see cref="StoredObjects"/>, counting and logging an integrity failure.</summary>
    private T Open<T>(ReadOnlyMemory<byte> content, string key, Func<ReadOnlyMemory<byte>, T> open)
    {
        try
        {
            return open(content);
        }
        catch (ProofIntegrityException ex)
        {
            _statistics.IntegrityFailure();
            Log.IntegrityFailure(_logger, key, _storage.Name, ex.Kind);
            throw;
        }
    }

    private StoreProofResult Deduplicated(ProofDocument existing, StoreProofCommand command, Activity? activity)
    {
        _statistics.DedupHit(command.Proof.Length);
        _access?.RecordDuplicate(existing.ProofId);
        activity?.SetTag(DeduplicatedTag, true);
        Log.ProofDeduplicated(_logger, existing.ProofId);
        return new StoreProofResult(existing, Deduplicated: true);
    }

    public void Dispose()
    {
        _aliases.Dispose();
        _manifestIds.Dispose();
    }

}

/// <summary>
/// A proof a delete removed: its id and, when it could be read first, what its record named (for purge notices): the image
/// and, for a manifest store, its C2PA identifiers. Fields rather than the document, so nothing native outlives the delete.
/// </summary>
/// <param name="ProofId">The native id.</param>
/// <param name="ImageHash">The image the proof was stored for; <see langword="null"/> when unread or stored without one.</param>
/// <param name="C2pa">A manifest store's identifiers; <see langword="null"/> for a JSON proof or when unread.</param>
public sealed record DeletedProof(string ProofId, ImageHash? ImageHash, C2paIdentifiers? C2pa);

/// <summary>The outcome of one batch item: a result or the exception that failed it.</summary>
public sealed record BatchItemOutcome(int Index, StoreProofResult? Result, Exception? Error);

/// <summary>A snapshot of every counter of the store.</summary>
public sealed record StorageSnapshot(CacheSnapshot Cache, DedupSnapshot Dedup, CompressionSnapshot Compression,
    IReadOnlyList<ProviderSnapshot> Storage, long IntegrityFailures)
{
    /// <summary>Access tracking: this instance's figures and the most-read and most-duplicated proofs (absent when tracking is off).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public AccessSnapshot? Access { get; init; }
}
