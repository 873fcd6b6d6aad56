using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using ProofStorage.Core.Diagnostics;

namespace ProofStorage.Core.Storage;

/// <summary>One provider of a failover pair with its circuit breaker.</summary>
internal sealed class FailoverMember
{
    public FailoverMember(IStorageProvider provider, FailoverOptions options, TimeProvider time)
    {
        Provider = provider;
        Breaker = new CircuitBreakerStateProvider();
        Pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                // Only "cannot reach it" counts: a corrupt object or a miss says nothing about the provider's health.
                ShouldHandle = new PredicateBuilder().Handle<StorageUnavailableException>(),
                StateProvider = Breaker,
            })
            .Build();
    }

    public IStorageProvider Provider { get; }

    public string Name => Provider.Name;

    public CircuitBreakerStateProvider Breaker { get; }

    public ResiliencePipeline Pipeline { get; }

    /// <summary>Runs a call through the breaker; an open circuit is reported as the provider being unavailable.</summary>
    public async Task<T> RunAsync<T>(Func<IStorageProvider, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await Pipeline.ExecuteAsync(
                static async (state, token) => await state.call(state.provider, token).ConfigureAwait(false),
                (call, provider: Provider), cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            throw new StorageUnavailableException(Name, $"The circuit of {Name} is open: not calling it for now.", ex);
        }
    }
}

/// <summary>The health of one member of a pair, for readiness reports.</summary>
public sealed record MemberHealth(string Name, string Role, ProviderHealth Health, string Breaker);

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
/// <para>Deletes: secondary first, then primary (so a concurrent read cannot repair a half-deleted object
/// back); an unreachable side gets a pending delete in the log.</para>
/// <para>Each member has a Polly circuit breaker: while open, the member is skipped without a call.</para>
/// </remarks>
internal sealed class FailoverStorageProvider : IStorageProvider, IDisposable
{
    private readonly SemaphoreSlim _drainGate = new(1, 1);
    private readonly ReplicationLog _log;
    private readonly ILogger _logger;

    public FailoverStorageProvider(IStorageProvider primary, IStorageProvider secondary, ReplicationLog log, FailoverOptions options,
        TimeProvider time, ILogger logger)
    {
        Primary = new FailoverMember(primary, options, time);
        Secondary = new FailoverMember(secondary, options, time);
        _log = log;
        _logger = logger;
        Name = $"{primary.Name}+{secondary.Name}";
    }

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

    public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var member = Primary.Breaker.CircuitState is CircuitState.Open or CircuitState.Isolated ? Secondary : Primary;
        await foreach (var key in member.Provider.ListKeysAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return key;
        }
    }

    public async Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var members = await CheckMembersAsync(cancellationToken).ConfigureAwait(false);
        var healthy = members.Count(m => m.Health.IsHealthy);
        var description = string.Join("; ", members.Select(m => $"{m.Name}: {m.Health.Description}, circuit {m.Breaker}"));
        return new ProviderHealth(healthy > 0, description, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Probes both members (in parallel) and reports each with its breaker state.</summary>
    public async Task<IReadOnlyList<MemberHealth>> CheckMembersAsync(CancellationToken cancellationToken)
    {
        var probes = await Task.WhenAll(Primary.Provider.CheckHealthAsync(cancellationToken), Secondary.Provider.CheckHealthAsync(cancellationToken))
            .ConfigureAwait(false);
        return
        [
            new MemberHealth(Primary.Name, "primary", probes[0], Primary.Breaker.CircuitState.ToString()),
            new MemberHealth(Secondary.Name, "secondary", probes[1], Secondary.Breaker.CircuitState.ToString()),
        ];
    }

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
