using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using ProofStorage.Core;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Storage;

namespace ProofStorage.Storage.Failover;

/// <summary>
/// A primary and a secondary provider (any types) kept as two copies of the same objects.
/// </summary>
/// <remarks>
/// <para>Writes: the primary acknowledges (and arbitrates create-if-absent); the secondary copy is written
/// synchronously when reachable, otherwise a durable <see cref="ReplicationLog"/> entry is written before the
/// call returns. When the primary is unreachable the secondary acknowledges and the primary's copy goes to the log.
/// Replaying a logged create on the primary is itself create-if-absent, so a copy the primary already holds wins
/// and is copied back to the secondary.</para>
/// <para>Reads: the primary first; on a miss, an unreachable primary or an integrity failure the secondary is
/// read, and a missing or corrupt primary copy is repaired from it. Only when no good copy exists anywhere is
/// <see cref="ProofIntegrityException"/> thrown.</para>
/// <para>Deletes: first a tombstone naming the copies' bytes on each reachable member (<see cref="Tombstones"/>: what
/// keeps the scrub from repairing a deleted proof back), then secondary, then primary (so a concurrent read cannot
/// repair a half-deleted object back); an unreachable side gets a pending delete in the log.</para>
/// <para>Tools that compare or repair the copies reach each member through <see cref="IStorageReplicas"/>.</para>
/// <para>Each member has a Polly circuit breaker: while open, the member is skipped without a call.</para>
/// </remarks>
internal sealed class FailoverStorageProvider : IStorageProvider, IStorageReplicas, IDisposable
{
    private readonly SemaphoreSlim _drainGate = new(1, 1);
    private readonly ReplicationLog _log;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public FailoverStorageProvider(IStorageProvider primary, IStorageProvider secondary, ReplicationLog log, FailoverOptions options,
        TimeProvider time, ILogger logger)
    {
        Primary = new FailoverMember(primary, options, time);
        Secondary = new FailoverMember(secondary, options, time);
        _log = log;
        _time = time;
        _logger = logger;
        Name = $"{primary.Name}+{secondary.Name}";
        Replicas = [new StorageReplica("primary", primary), new StorageReplica("secondary", secondary)];
    }

    public IReadOnlyList<StorageReplica> Replicas { get; }

    public string Name { get; }

    public FailoverMember Primary { get; }

    public FailoverMember Secondary { get; }

    /// <summary>Replication entries still to apply.</summary>
    public int PendingReplications => _log.Count;

    /// <summary>Reports the replication backlog and each member's circuit on the store's gauges.</summary>
    internal void ObserveOn(ProofStorageMetrics metrics)
    {
        metrics.ObserveReplicationBacklog(Name, () => _log.Count);
        foreach (var member in new[] { Primary, Secondary })
        {
            metrics.ObserveCircuit(member.Name, () => member.Breaker.CircuitState != CircuitState.Closed);
        }
    }

    public async Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        Exception? primaryError = null;
        try
        {
            var found = await Primary.RunAsync((p, t) => p.GetAsync(key, t), cancellationToken).ConfigureAwait(false);
            if (found is not null)
            {
                return found;
            }
        }
        catch (Exception ex) when (ex is StorageUnavailableException or ProofIntegrityException)
        {
            primaryError = ex;
            LogFailover(Primary, "read", ex);
        }

        if (primaryError is null && _log.HasPending(Secondary.Name, key))
        {
            // The secondary still holds a copy this instance deleted (or replaced): it is not authoritative.
            return null;
        }

        StoredObject? copy;
        try
        {
            copy = await Secondary.RunAsync((p, t) => p.GetAsync(key, t), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StorageUnavailableException or ProofIntegrityException)
        {
            // Integrity beats unavailability: a known-bad copy must surface as such, never as "retry later".
            if (primaryError is ProofIntegrityException)
            {
                throw primaryError;
            }

            if (ex is ProofIntegrityException || primaryError is not null)
            {
                throw primaryError ?? ex;
            }

            // The primary (the authority) answered "no such object"; the secondary cannot say otherwise now.
            return null;
        }

        if (copy is null)
        {
            return primaryError is null ? null : throw primaryError;
        }

        // READ-REPAIR: the primary lacked the object or held a corrupt copy.
        if (primaryError is ProofIntegrityException)
        {
            await CopyToAsync(Primary, key, copy.Content, conditional: false, cancellationToken).ConfigureAwait(false);
            Log.Repaired(_logger, key, Primary.Name);
        }
        else if (primaryError is null && !_log.HasPending(Primary.Name, key))
        {
            await CopyToAsync(Primary, key, copy.Content, conditional: true, cancellationToken).ConfigureAwait(false);
            Log.Repaired(_logger, key, Primary.Name);
        }

        return copy;
    }

    public async Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        bool created;
        try
        {
            // CREATE-IF-ABSENT on the primary: it is the arbiter of races between instances.
            created = await Primary.RunAsync((p, t) => p.CreateIfAbsentAsync(key, content, metadata, t), cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException primaryError)
        {
            LogFailover(Primary, "create", primaryError);
            try
            {
                created = await Secondary.RunAsync((p, t) => p.CreateIfAbsentAsync(key, content, metadata, t), cancellationToken).ConfigureAwait(false);
            }
            catch (StorageUnavailableException secondaryError)
            {
                throw new StorageUnavailableException(Name, "Neither the primary nor the secondary provider is reachable.", secondaryError);
            }

            if (created)
            {
                await _log.AppendAsync(new ReplicationEntry(Primary.Name, ReplicationOperation.Put, key, Conditional: true, content.ToArray()), cancellationToken)
                    .ConfigureAwait(false);
            }

            return created;
        }

        if (created)
        {
            await CopyToAsync(Secondary, key, content, conditional: false, cancellationToken).ConfigureAwait(false);
        }

        return created;
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        try
        {
            await Primary.RunAsync(async (p, t) => { await p.PutAsync(key, content, metadata, t).ConfigureAwait(false); return true; }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (StorageUnavailableException primaryError)
        {
            LogFailover(Primary, "write", primaryError);
            try
            {
                await Secondary.RunAsync(async (p, t) => { await p.PutAsync(key, content, metadata, t).ConfigureAwait(false); return true; }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (StorageUnavailableException secondaryError)
            {
                throw new StorageUnavailableException(Name, "Neither the primary nor the secondary provider is reachable.", secondaryError);
            }

            await _log.AppendAsync(new ReplicationEntry(Primary.Name, ReplicationOperation.Put, key, Conditional: false, content.ToArray()), cancellationToken)
                .ConfigureAwait(false);
            return;
        }

        await CopyToAsync(Secondary, key, content, conditional: false, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        // TOMBSTONE before any copy goes: a repair racing this delete finds it and takes its copy back.
        await WriteTombstonesAsync(key, cancellationToken).ConfigureAwait(false);

        bool? secondary = null;
        bool? primary = null;
        StorageUnavailableException? failure = null;
        try
        {
            secondary = await Secondary.RunAsync((p, t) => p.DeleteAsync(key, t), cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            failure = ex;
        }

        try
        {
            primary = await Primary.RunAsync((p, t) => p.DeleteAsync(key, t), cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            if (secondary is null)
            {
                throw new StorageUnavailableException(Name, "Neither the primary nor the secondary provider is reachable; nothing was deleted.", ex);
            }

            failure = ex;
        }

        if (failure is not null)
        {
            var target = primary is null ? Primary.Name : Secondary.Name;
            await _log.AppendAsync(new ReplicationEntry(target, ReplicationOperation.Delete, key, Conditional: false, null), cancellationToken)
                .ConfigureAwait(false);
        }

        return primary == true || secondary == true || (failure is not null && (primary ?? secondary) is null);
    }

    /// <summary>
    /// Names the bytes of each copy about to be deleted (their SHA-256) in a tombstone on every reachable member. A copy that
    /// cannot be read (unreachable, corrupt) gets none: the scrub never copies bytes it cannot verify, so it cannot bring
    /// such a copy back.
    /// </summary>
    private async Task WriteTombstonesAsync(string key, CancellationToken cancellationToken)
    {
        if (!Tombstones.AppliesTo(key))
        {
            return;
        }

        FailoverMember[] members = [Primary, Secondary];
        var copies = await Task.WhenAll(members.Select(async member =>
        {
            try
            {
                return await member.RunAsync((p, t) => p.GetAsync(key, t), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StorageUnavailableException or ProofIntegrityException)
            {
                return null;
            }
        })).ConfigureAwait(false);
        var incarnations = copies.OfType<StoredObject>().Select(c => Tombstones.IncarnationOf(c.Content.Span)).Distinct(StringComparer.Ordinal).ToList();
        if (incarnations.Count == 0)
        {
            return;
        }

        var body = Tombstones.Body(_time.GetUtcNow());
        await Task.WhenAll(members.SelectMany(member => incarnations.Select(async sha =>
        {
            try
            {
                await member.RunAsync((p, t) => p.CreateIfAbsentAsync(Tombstones.KeyFor(key, sha), body, ObjectMetadata.None, t), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                // The other member's tombstone (and this member's pending delete in the log) cover it.
                Log.TombstoneDeferred(_logger, key, member.Name, ex.GetType().Name);
            }
        }))).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var member = Primary.Breaker.CircuitState is CircuitState.Open or CircuitState.Isolated ? Secondary : Primary;
        await foreach (var key in member.Provider.ListKeysAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return key;
        }
    }

    /// <summary>
    /// Probes both members (in parallel) and reports each under its role with its breaker state, plus the pending
    /// replications. Serving while either member is; one member down is degraded.
    /// </summary>
    public async Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var probes = await Task.WhenAll(Primary.Provider.CheckHealthAsync(cancellationToken), Secondary.Provider.CheckHealthAsync(cancellationToken))
            .ConfigureAwait(false);
        MemberHealth[] members = [Report("primary", Primary, probes[0]), Report("secondary", Secondary, probes[1])];
        var description = string.Join("; ", members.Select(m => $"{m.Role} {(m.Health.IsHealthy ? "healthy" : "unhealthy")}, circuit {m.Health.Data["circuit"]}"));
        return new ProviderHealth(members.Any(m => m.Health.IsHealthy), description, Stopwatch.GetElapsedTime(started))
        {
            Members = members,
            Data = new Dictionary<string, object> { ["pendingReplications"] = PendingReplications },
        };

        static MemberHealth Report(string role, FailoverMember member, ProviderHealth probe) =>
            new(role, member.Name, probe with { Data = new Dictionary<string, object>(probe.Data) { ["circuit"] = member.Breaker.CircuitState.ToString() } });
    }

    /// <summary>
    /// The pair's own capabilities first, then its primary's: the copy every write reaches first. Not
    /// <see cref="IObjectMaintenance"/>: its versions and conditional writes name one copy's bytes, so a tool asks for
    /// <see cref="IStorageReplicas"/> and uses each member's.
    /// </summary>
    public T? GetCapability<T>()
        where T : class => this as T ?? (typeof(T) == typeof(IObjectMaintenance) ? null : Primary.Provider.GetCapability<T>());

    /// <summary>
    /// Applies pending replication entries in order, per target; stops at a target's first failure so later
    /// entries for it never overtake earlier ones. Returns the number applied.
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        // One drain at a time: two interleaved drains could replay an old put after a newer delete.
        await _drainGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await DrainOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _drainGate.Release();
        }
    }

    private async Task<int> DrainOnceAsync(CancellationToken cancellationToken)
    {
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        var applied = 0;
        foreach (var entry in _log.Snapshot())
        {
            if (blocked.Contains(entry.Target))
            {
                continue;
            }

            var member = entry.Target == Primary.Name ? Primary : Secondary;
            var other = member == Primary ? Secondary : Primary;
            try
            {
                await ApplyAsync(member, other, entry, cancellationToken).ConfigureAwait(false);
                _log.Complete(entry);
                applied++;
            }
            catch (Exception ex) when (ex is StorageUnavailableException or ProofIntegrityException)
            {
                // Keep this target's entries in order: nothing later for it is applied before this one.
                blocked.Add(entry.Target);
                Log.ReplicationDeferred(_logger, entry.Key, entry.Target, ex.GetType().Name);
            }
        }

        if (applied > 0)
        {
            Log.ReplicationApplied(_logger, applied, _log.Count);
        }

        return applied;
    }

    private static async Task ApplyAsync(FailoverMember member, FailoverMember other, ReplicationEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Operation == ReplicationOperation.Delete)
        {
            await member.RunAsync((p, t) => p.DeleteAsync(entry.Key, t), cancellationToken).ConfigureAwait(false);
            return;
        }

        var content = entry.Content ?? [];
        if (!entry.Conditional)
        {
            await member.RunAsync(async (p, t) => { await p.PutAsync(entry.Key, content, ObjectMetadata.None, t).ConfigureAwait(false); return true; },
                cancellationToken).ConfigureAwait(false);
            return;
        }

        var created = await member.RunAsync((p, t) => p.CreateIfAbsentAsync(entry.Key, content, ObjectMetadata.None, t), cancellationToken)
            .ConfigureAwait(false);
        if (!created)
        {
            // The target already held a copy (written by another instance meanwhile): the primary's copy wins,
            // so make both sides agree on it.
            var winner = await member.RunAsync((p, t) => p.GetAsync(entry.Key, t), cancellationToken).ConfigureAwait(false);
            if (winner is not null && !winner.Content.Span.SequenceEqual(content))
            {
                await other.RunAsync(async (p, t) => { await p.PutAsync(entry.Key, winner.Content, ObjectMetadata.None, t).ConfigureAwait(false); return true; },
                    cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _drainGate.Dispose();

    /// <summary>Warns once per failure; calls skipped by an open circuit only log at debug level (the opening was already reported).</summary>
    private void LogFailover(FailoverMember member, string operation, Exception ex)
    {
        if (ex.InnerException is BrokenCircuitException)
        {
            Log.SkippedOpenCircuit(_logger, member.Name, operation);
        }
        else
        {
            Log.FailingOver(_logger, member.Name, operation, ex.Message);
        }
    }

    /// <summary>Writes the other copy now when possible, else logs it durably; never fails the caller for it.</summary>
    private async Task CopyToAsync(FailoverMember target, string key, ReadOnlyMemory<byte> content, bool conditional, CancellationToken cancellationToken)
    {
        // An older pending change for this key must not overtake (or be overtaken by) this one: queue behind it.
        if (!_log.HasPending(target.Name, key))
        {
            try
            {
                if (conditional)
                {
                    await target.RunAsync((p, t) => p.CreateIfAbsentAsync(key, content, ObjectMetadata.None, t), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await target.RunAsync(async (p, t) => { await p.PutAsync(key, content, ObjectMetadata.None, t).ConfigureAwait(false); return true; },
                        cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (StorageUnavailableException ex)
            {
                Log.ReplicationDeferred(_logger, key, target.Name, ex.GetType().Name);
            }
        }

        await _log.AppendAsync(new ReplicationEntry(target.Name, ReplicationOperation.Put, key, conditional, content.ToArray()), cancellationToken)
            .ConfigureAwait(false);
    }
}
