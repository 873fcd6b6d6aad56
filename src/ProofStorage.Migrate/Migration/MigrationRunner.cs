using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using ProofStorage.Core;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Migrate.Console;
using ProofStorage.Migrate.Sources;

namespace ProofStorage.Migrate.Migration;

/// <summary>
/// Moves every item of a source into the target store, batch by batch in name order: LOAD (parallel) → STORE
/// (dedup + create-if-absent, items of one image in order) → ALIAS (legacy id) → VERIFY (read back through the
/// normal path, compare the proof bytes) → DELETE (source, verified items only) → CHECKPOINT (atomic).
/// </summary>
internal sealed class MigrationRunner
{
    private readonly MigrationSettings _settings;
    private readonly IMigrationSource _source;
    private readonly StorageManager _target;
    private readonly string _targetDescription;
    private readonly IProgressView _progress;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly ConcurrentDictionary<string, byte> _seenImages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Image, string Name)> _legacyIds = new(StringComparer.Ordinal);
    private long _retries;
    private long _estimatedStoredBytes;
    private long _sourceBytes;

    // What a dry run measures for its duration estimate (Stopwatch ticks, and the requests a real run would send).
    private long _loadTicks;
    private long _validateTicks;
    private long _prepareTicks;
    private long _prepared;
    private long _storedItems;
    private long _aliasItems;
    private long _plannedWrites;
    private long _plannedReads;
    private long _plannedDeletes;

    public MigrationRunner(MigrationSettings settings, IMigrationSource source, StorageManager target, string targetDescription,
        IProgressView progress, ILogger logger)
    {
        _settings = settings;
        _source = source;
        _target = target;
        _targetDescription = targetDescription;
        _progress = progress;
        _logger = logger;
        _retry = settings.Retries <= 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder()
                .AddRetry(new RetryStrategyOptions
                {
                    // Only "try again" errors: an invalid record or an integrity failure does not heal by waiting.
                    ShouldHandle = new PredicateBuilder().Handle<StorageUnavailableException>(),
                    MaxRetryAttempts = settings.Retries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = settings.RetryDelay,
                    MaxDelay = TimeSpan.FromSeconds(10),
                    OnRetry = args =>
                    {
                        Interlocked.Increment(ref _retries);
                        Log.RetryingTransientFailure(_logger, args.Outcome.Exception!, args.AttemptNumber + 1);
                        return default;
                    },
                })
                .Build();
    }

    public async Task<MigrationRunResult> RunAsync(MigrationState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var started = Stopwatch.GetTimestamp();
        var names = await _retry.ExecuteAsync(async token => await _source.ListAsync(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var listed = Stopwatch.GetElapsedTime(started);
        var pending = names.Where(state.IsPending).ToList();
        var processed = 0;
        var interrupted = false;
        state.Runs++;
        state.Completed = false;

        try
        {
            await _progress.RunAsync(pending.Count, _settings.DryRun ? "validating" : "migrating", async advance =>
            {
                foreach (var batch in pending.Chunk(Math.Max(1, _settings.BatchSize)))
                {
                    var outcomes = await ProcessBatchAsync(batch, cancellationToken).ConfigureAwait(false);
                    foreach (var outcome in outcomes)
                    {
                        state.Record(outcome);
                    }

                    // CHECKPOINT: only whole batches count as done.
                    var last = batch[^1];
                    if (state.CompletedThrough is null || string.CompareOrdinal(last, state.CompletedThrough) > 0)
                    {
                        state.CompletedThrough = last;
                    }

                    processed += batch.Length;
                    if (!_settings.DryRun && _settings.CheckpointPath is { } path)
                    {
                        state.ElapsedSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
                        started = Stopwatch.GetTimestamp();
                        state.Save(path);
                    }

                    advance(batch.Length);
                }
            }).ConfigureAwait(false);
            state.Completed = true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }

        state.ElapsedSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (!_settings.DryRun && _settings.CheckpointPath is { } checkpoint)
        {
            state.Save(checkpoint);
        }

        var (timing, timingProblem) = _settings.DryRun && !interrupted ? await TimeTargetAsync(listed, cancellationToken).ConfigureAwait(false) : (null, null);
        return new MigrationRunResult(state, _source.Description, _targetDescription, _settings.DryRun, interrupted, names.Count, processed,
            Interlocked.Read(ref _retries), Interlocked.Read(ref _sourceBytes), Interlocked.Read(ref _estimatedStoredBytes))
        {
            Timing = timing,
            TimingProblem = timingProblem,
        };
    }

    /// <summary>
    /// The dry run's measurements for its estimate: what it timed itself (listing, loading, envelope CPU) and the
    /// target's rates on probe objects of the proofs' mean envelope size (<see cref="TargetProbe"/>).
    /// </summary>
    private async Task<(DryRunSample? Sample, string? Problem)> TimeTargetAsync(TimeSpan listed, CancellationToken cancellationToken)
    {
        var prepared = Interlocked.Read(ref _prepared);
        var objectBytes = prepared == 0 ? 1024 : (int)(Interlocked.Read(ref _estimatedStoredBytes) / prepared);
        var writes = Interlocked.Read(ref _plannedWrites);
        var reads = Interlocked.Read(ref _plannedReads);
        var items = Math.Max(1, Interlocked.Read(ref _storedItems) + Interlocked.Read(ref _aliasItems));
        ProbeRates rates;
        try
        {
            rates = await TargetProbe.MeasureAsync(_target.Storage, TargetProbe.ItemsFor(_settings.Parallelism), (double)writes / items, (double)reads / items,
                objectBytes, _settings.Parallelism, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            return (null, "the target could not be timed: " + ex.Message);
        }

        // A real run prepares every item it stores (a duplicate too, before its create loses); the dry run prepared the new ones.
        var prepareSeconds = prepared == 0 ? 0 : Seconds(Interlocked.Read(ref _prepareTicks)) / prepared * Interlocked.Read(ref _storedItems);
        return (new DryRunSample(_settings.Parallelism, Environment.ProcessorCount, listed.TotalSeconds, Seconds(Interlocked.Read(ref _loadTicks)),
            Seconds(Interlocked.Read(ref _validateTicks)) + prepareSeconds, writes, reads, Interlocked.Read(ref _plannedDeletes), rates), null);
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    private async Task<ItemOutcome[]> ProcessBatchAsync(string[] batch, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _settings.Parallelism), CancellationToken = cancellationToken };

        // LOAD
        var loadStarted = Stopwatch.GetTimestamp();
        var loads = new SourceLoad[batch.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, batch.Length), parallel, async (index, token) =>
        {
            try
            {
                loads[index] = await _retry.ExecuteAsync(async t => await _source.LoadAsync(batch[index], t).ConfigureAwait(false), token).ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                loads[index] = SourceLoad.Unreadable(batch[index], "the source could not be read after retries: " + ex.Message);
            }
        }).ConfigureAwait(false);
        Interlocked.Add(ref _loadTicks, Stopwatch.GetTimestamp() - loadStarted);

        var outcomes = new ConcurrentBag<ItemOutcome>();
        var groups = new List<List<SourceItem>>();
        var byGroup = new Dictionary<string, List<SourceItem>>(StringComparer.Ordinal);
        foreach (var load in loads)
        {
            Interlocked.Add(ref _sourceBytes, load.SourceBytes);
            if (load.Item is { } item)
            {
                if (ClaimLegacyId(item) is { } refused)
                {
                    outcomes.Add(refused);
                    continue;
                }

                if (!byGroup.TryGetValue(item.GroupKey, out var group))
                {
                    group = [];
                    byGroup[item.GroupKey] = group;
                    groups.Add(group);
                }

                group.Add(item);
            }
            else if (load.Failure is { } failure)
            {
                outcomes.Add(new ItemOutcome(load.Name, null, null, ItemStatus.Failed, VerifyStatus.NotChecked, false, false, failure));
            }
            else
            {
                Log.ItemSkipped(_logger, load.Name, load.Invalid ?? "invalid");
                outcomes.Add(new ItemOutcome(load.Name, null, null, ItemStatus.Skipped, VerifyStatus.NotChecked, false, false, load.Invalid));
            }
        }

        // STORE … DELETE, one image's items in name order (the first becomes the proof), images in parallel.
        await Parallel.ForEachAsync(groups, parallel, async (group, token) =>
        {
            foreach (var item in group)
            {
                outcomes.Add(_settings.DryRun ? await DryRunAsync(item, token).ConfigureAwait(false) : await MigrateAsync(item, token).ConfigureAwait(false));
            }
        }).ConfigureAwait(false);
        return [.. outcomes];
    }

    /// <summary>
    /// Claims the item's legacy id for its image, or refuses the item (skipped) when an earlier item claimed that id for
    /// another image: its alias would otherwise point at whichever image came last. Called in name order (a batch's loads
    /// are in its order, batches run one after another), before the images' stores run in parallel, so the first item
    /// by name keeps the id however those are scheduled.
    /// </summary>
    private ItemOutcome? ClaimLegacyId(SourceItem item)
    {
        if (item.AliasOf is not null || item.LegacyId is not { } legacyId || legacyId == item.ProofId)
        {
            return null;
        }

        if (!_legacyIds.TryGetValue(legacyId, out var first))
        {
            _legacyIds[legacyId] = (item.ProofId, item.Name);
            return null;
        }

        if (first.Image == item.ProofId)
        {
            return null;
        }

        var reason = $"legacy id '{legacyId}' already names another image (in {first.Name}); not migrated";
        Log.ItemSkipped(_logger, item.Name, reason);
        return new ItemOutcome(item.Name, legacyId, item.ProofId, ItemStatus.Skipped, VerifyStatus.NotChecked, false, false, reason);
    }

    private async Task<ItemOutcome> MigrateAsync(SourceItem item, CancellationToken cancellationToken)
    {
        if (item.AliasOf is { } aliasTarget)
        {
            return await MigrateAliasAsync(item, item.LegacyId!, aliasTarget, cancellationToken).ConfigureAwait(false);
        }

        var proofId = item.ProofId;
        var legacyId = item.LegacyId is { } id && id != proofId ? id : null;

        StoreProofResult stored;
        try
        {
            // STORE: dedup + create-if-absent; the legacy timestamp is kept.
            var command = item.ToCommand();
            stored = await _retry.ExecuteAsync(async token => await _target.StoreAsync(command, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

            // ALIAS: old ids keep working.
            if (legacyId is not null)
            {
                await _retry.ExecuteAsync(async token => await _target.RegisterAliasAsync(legacyId, proofId, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ProofValidationException or ProofTooLargeException or ManifestStoreFormatException)
        {
            Log.ItemSkipped(_logger, item.Name, ex.Message);
            return new ItemOutcome(item.Name, legacyId, proofId, ItemStatus.Skipped, VerifyStatus.NotChecked, false, false, ex.Message);
        }
        catch (Exception ex) when (ex is StorageUnavailableException or ProofIntegrityException)
        {
            Log.ItemFailed(_logger, ex, item.Name);
            return new ItemOutcome(item.Name, legacyId, proofId, ItemStatus.Failed, VerifyStatus.NotChecked, false, false, Describe(ex));
        }

        // The stored document's bytes (the kept proof) are read until the item is done.
        using var storedDocument = stored.Document;
        var status = stored.Deduplicated ? ItemStatus.Deduplicated : ItemStatus.Migrated;
        // A new proof holds the item's bytes by construction; a deduplicated one may hold an earlier record's proof.
        var keptProof = stored.Deduplicated ? ProofBytes(stored.Document) : item.Proof;
        var superseded = !keptProof.Span.SequenceEqual(item.Proof.Span);
        var outcome = new ItemOutcome(item.Name, legacyId, proofId, status, VerifyStatus.NotChecked, superseded, false, null);

        // VERIFY: through the id a client uses (the legacy id when there is one), against the proof kept for the image.
        if (_settings.Verify)
        {
            outcome = await VerifyAsync(outcome, legacyId ?? proofId, proofId, keptProof, cancellationToken).ConfigureAwait(false);
        }

        // DELETE: only what verified and whose exact proof bytes are in the target.
        if (_settings.DeleteAfter && outcome.Verification == VerifyStatus.Verified && !superseded)
        {
            outcome = await DeleteFromSourceAsync(outcome, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    private async Task<ItemOutcome> MigrateAliasAsync(SourceItem item, string legacyId, string proofId, CancellationToken cancellationToken)
    {
        try
        {
            await _retry.ExecuteAsync(async token => await _target.RegisterAliasAsync(legacyId, proofId, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (ProofValidationException ex)
        {
            return new ItemOutcome(item.Name, legacyId, proofId, ItemStatus.Skipped, VerifyStatus.NotChecked, false, false, ex.Message);
        }
        catch (Exception ex) when (ex is StorageUnavailableException or ProofIntegrityException)
        {
            Log.ItemFailed(_logger, ex, item.Name);
            return new ItemOutcome(item.Name, legacyId, proofId, ItemStatus.Failed, VerifyStatus.NotChecked, false, false, Describe(ex));
        }

        var outcome = new ItemOutcome(item.Name, legacyId, proofId, ItemStatus.Migrated, VerifyStatus.NotChecked, false, false, null);
        if (_settings.Verify)
        {
            outcome = await VerifyAsync(outcome, legacyId, proofId, null, cancellationToken).ConfigureAwait(false);
        }

        if (_settings.DeleteAfter && outcome.Verification == VerifyStatus.Verified)
        {
            outcome = await DeleteFromSourceAsync(outcome, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    private async Task<ItemOutcome> VerifyAsync(ItemOutcome outcome, string id, string proofId, ReadOnlyMemory<byte>? expectedProof,
        CancellationToken cancellationToken)
    {
        ProofDocument? document;
        try
        {
            document = await _retry.ExecuteAsync(async token => await _target.GetAsync(id, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (ProofIntegrityException ex)
        {
            return outcome with { Verification = VerifyStatus.Corrupted, Reason = "verification: " + Describe(ex) };
        }
        catch (StorageUnavailableException ex)
        {
            return outcome with { Verification = VerifyStatus.NotChecked, Reason = "verification could not read the target: " + ex.Message };
        }

        if (document is null)
        {
            return outcome with { Verification = VerifyStatus.Missing, Reason = $"verification: '{id}' does not resolve in the target" };
        }

        using var read = document;

        if (document.ProofId != proofId)
        {
            return outcome with { Verification = VerifyStatus.Corrupted, Reason = $"verification: '{id}' resolves to {document.ProofId}, not {proofId}" };
        }

        if (expectedProof is { } expected && !ProofBytes(document).Span.SequenceEqual(expected.Span))
        {
            return outcome with { Verification = VerifyStatus.Corrupted, Reason = "verification: the stored proof bytes differ from the source" };
        }

        return outcome with { Verification = VerifyStatus.Verified };
    }

    private async Task<ItemOutcome> DeleteFromSourceAsync(ItemOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            await _retry.ExecuteAsync(async token => await _source.DeleteAsync(outcome.Name, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return outcome with { Deleted = true };
        }
        catch (StorageUnavailableException ex)
        {
            return outcome with { Reason = "delete-after: " + ex.Message };
        }
    }

    private async Task<ItemOutcome> DryRunAsync(SourceItem item, CancellationToken cancellationToken)
    {
        if (item.AliasOf is { } aliasTarget)
        {
            // A real run: the alias's create-if-absent, and with --verify the alias and its proof read back.
            Interlocked.Increment(ref _aliasItems);
            Plan(writes: 1, reads: _settings.Verify ? 2 : 0);
            return new ItemOutcome(item.Name, item.LegacyId, aliasTarget, ItemStatus.Migrated, VerifyStatus.NotChecked, false, false, null);
        }

        var proofId = item.ProofId;
        var legacyId = item.LegacyId is { } id && id != proofId ? id : null;

        // The target's own write pipeline: what a store would refuse is skipped, and the estimate is what it would write.
        ValidatedProof proof;
        var validating = Stopwatch.GetTimestamp();
        try
        {
            proof = _target.WritePipeline.Validate(item.ToCommand());
        }
        catch (Exception ex) when (ex is ProofValidationException or ProofTooLargeException or ManifestStoreFormatException)
        {
            return new ItemOutcome(item.Name, legacyId, proofId, ItemStatus.Skipped, VerifyStatus.NotChecked, false, false, ex.Message);
        }
        finally
        {
            Interlocked.Add(ref _validateTicks, Stopwatch.GetTimestamp() - validating);
        }

        bool exists;
        try
        {
            exists = !_seenImages.TryAdd(proofId, 0)
                || await _retry.ExecuteAsync(async token => await _target.Storage.GetAsync(DedupProtocol.ProofKey(proofId), token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (StorageUnavailableException ex)
        {
            return new ItemOutcome(item.Name, legacyId, proofId, ItemStatus.Failed, VerifyStatus.NotChecked, false, false, Describe(ex));
        }

        if (!exists)
        {
            var preparing = Stopwatch.GetTimestamp();
            using (var prepared = _target.WritePipeline.Prepare(proof))
            {
                Interlocked.Add(ref _estimatedStoredBytes, prepared.Envelope.Length);
            }

            Interlocked.Add(ref _prepareTicks, Stopwatch.GetTimestamp() - preparing);
            Interlocked.Increment(ref _prepared);
        }

        // A real run: the proof's create-if-absent (a duplicate's loses and reads the proof), the alias's, and with
        // --verify the id read back (an alias, then its proof).
        Interlocked.Increment(ref _storedItems);
        Plan(writes: legacyId is null ? 1 : 2, reads: (exists ? 1 : 0) + (_settings.Verify ? (legacyId is null ? 1 : 2) : 0));

        return new ItemOutcome(item.Name, legacyId, proofId, exists ? ItemStatus.Deduplicated : ItemStatus.Migrated, VerifyStatus.NotChecked, false, false, null);
    }

    private void Plan(int writes, int reads)
    {
        Interlocked.Add(ref _plannedWrites, writes);
        Interlocked.Add(ref _plannedReads, reads);
        if (_settings.DeleteAfter)
        {
            Interlocked.Increment(ref _plannedDeletes);
        }
    }

    /// <summary>The proof as a store request sent it: the raw bytes of a JSON record's <c>proof</c> value, or a manifest store's bytes.</summary>
    private static ReadOnlyMemory<byte> ProofBytes(ProofDocument stored)
    {
        if (stored.Format == ProofRecordFormat.Binary)
        {
            return stored.ReadContent().Content;
        }

        using var document = JsonDocument.Parse(stored.Record, new JsonDocumentOptions { MaxDepth = 4096 });
        return JsonMarshal.GetRawUtf8Value(document.RootElement.GetProperty("proof")).ToArray();
    }

    private static string Describe(Exception ex) => ex switch
    {
        ProofIntegrityException integrity => $"integrity failure ({integrity.Kind}) on {integrity.ObjectKey}: {integrity.Message}",
        StorageUnavailableException unavailable => $"storage unavailable ({unavailable.Provider}) after retries: {unavailable.Message}",
        _ => ex.Message,
    };
}

/// <summary>What one run did (the state holds the cumulative picture).</summary>
internal sealed record MigrationRunResult(
    MigrationState State,
    string Source,
    string Target,
    bool DryRun,
    bool Interrupted,
    int SourceItems,
    int ProcessedThisRun,
    long Retries,
    long SourceBytesRead,
    long EstimatedStoredBytes)
{
    /// <summary>A dry run's measurements for its duration estimate (null: not a dry run, or the target could not be timed).</summary>
    public DryRunSample? Timing { get; init; }

    /// <summary>Why a dry run has no <see cref="Timing"/>.</summary>
    public string? TimingProblem { get; init; }
}
