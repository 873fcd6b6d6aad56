using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Options;
using ProofStorage.Core.Storage;
using ProofStorage.Maintenance.Scrub;
using ProofStorage.Maintenance.Walking;

namespace ProofStorage.Maintenance.Scheduling;

/// <summary>
/// Runs scrub passes in the service when <see cref="ScrubOptions.Enabled"/>: the instance holding the store's scrub lease
/// runs a pass every <see cref="ScrubOptions.Interval"/> (every <see cref="ScrubOptions.DeepEvery"/>th one deep), throttled,
/// renewing the lease while it works; the others look at the lease every third of its duration and take over once it has
/// expired (its holder stopped or died). A pass whose lease is lost stops at once.
/// </summary>
internal sealed class ScheduledScrubService(IStorageProvider store, ProofEnvelopeCodec codec, IOptions<ProofStorageOptions> storage,
    IOptions<ScrubOptions> options, ScrubStatus status, TimeProvider time, ILogger<ScheduledScrubService> logger) : BackgroundService
{
    private readonly string _holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        status.Enabled();
        var copies = StoreCopies.Of(store);
        var lease = new StoreLease(copies[0].Objects, "scrub", _holder, settings.LeaseDuration, time);
        var check = settings.LeaseDuration / 3;
        DateTimeOffset? lastPass = null;
        long passes = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (await TryLeaseAsync(lease, stoppingToken).ConfigureAwait(false)
                    && (lastPass is null || time.GetUtcNow() - lastPass >= settings.Interval))
                {
                    passes++;
                    var deep = settings.DeepEvery > 0 && passes % settings.DeepEvery == 0;
                    await RunPassAsync(copies, lease, passes, deep, settings, stoppingToken).ConfigureAwait(false);
                    lastPass = time.GetUtcNow();
                }

                await Task.Delay(check, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            status.Lease(false);
            try
            {
                await lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (StorageUnavailableException)
            {
                // It expires on its own.
            }
        }
    }

    private async Task<bool> TryLeaseAsync(StoreLease lease, CancellationToken cancellationToken)
    {
        var held = lease.IsHeld;
        try
        {
            await lease.TryAcquireAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            // Cannot tell: keep what we believed until the lease would have expired anyway.
        }

        if (lease.IsHeld && !held)
        {
            Log.LeaseAcquired(logger, lease.Key, lease.Holder, lease.ExpiresAt);
        }

        status.Lease(lease.IsHeld);
        return lease.IsHeld;
    }

    private async Task RunPassAsync(IReadOnlyList<StoreCopy> copies, StoreLease lease, long pass, bool deep, ScrubOptions settings, CancellationToken stoppingToken)
    {
        var depth = deep ? "deep" : "listing";
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewAsync(lease, settings.LeaseDuration / 3, running);
        var state = new WalkState { Tool = "scrub " + depth, Store = store.Name };
        Log.PassStarted(logger, pass, depth, store.Name);
        status.PassStarted(deep, time.GetUtcNow());
        var throttle = new Throttle(settings.ObjectsPerSecond, settings.BytesPerSecond);
        await using (throttle.ConfigureAwait(false))
        {
            try
            {
                var scrubber = new Scrubber(copies, codec, storage.Value.MaxRecordBytes, new ScrubSettings(deep, DryRun: false, settings.TombstoneRetention), throttle, time);
                var seen = 0;
                var finished = await scrubber.RunAsync(state, new WalkSettings(settings.BatchSize, settings.Parallelism), _ =>
                {
                    var fresh = state.Findings.Skip(seen).ToList();
                    seen = state.Findings.Count;
                    foreach (var finding in fresh)
                    {
                        if (finding.Kind == FindingKind.Unrecoverable)
                        {
                            Log.Unrecoverable(logger, finding.Key, finding.Detail);
                        }
                        else if (finding.Kind != FindingKind.Deferred)
                        {
                            Log.Finding(logger, finding.Key, finding.Kind.ToString(), finding.Detail);
                        }
                    }

                    status.Progress(state, fresh);
                    return Task.CompletedTask;
                }, running.Token).ConfigureAwait(false);
                if (finished)
                {
                    status.PassCompleted(state, time.GetUtcNow());
                    Log.PassCompleted(logger, pass, depth, state.ElapsedSeconds, state.Count("keys"), state.Count("objects.read"), state.Count("repaired"),
                        state.Count("unrecoverable"), state.Count("deferred"));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Never let one failed pass stop the host (a BackgroundService exception would): the next interval tries again.
                Log.PassFailed(logger, ex);
            }
            finally
            {
                status.PassEnded();
                await running.CancelAsync().ConfigureAwait(false);
                await renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Renews the lease while the pass runs; cancels the pass when it is lost.</summary>
    private async Task RenewAsync(StoreLease lease, TimeSpan every, CancellationTokenSource pass)
    {
        while (!pass.IsCancellationRequested)
        {
            await Task.Delay(every, time, pass.Token).ConfigureAwait(false);
            if (!await TryLeaseAsync(lease, pass.Token).ConfigureAwait(false))
            {
                Log.LeaseLost(logger, lease.Key, lease.Holder);
                await pass.CancelAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Readiness: Degraded (still serving) while the scrub knows objects with no good copy left.</summary>
internal sealed class ScrubHealthCheck(ScrubStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = status.Snapshot;
        var data = new Dictionary<string, object> { ["enabled"] = snapshot.Enabled, ["unrecoverable"] = snapshot.Unrecoverable, ["leaseHeld"] = snapshot.LeaseHeld };
        return Task.FromResult(snapshot.Unrecoverable > 0
            ? HealthCheckResult.Degraded($"the scrub found {snapshot.Unrecoverable} object(s) with no good copy left (see /v1/stats and the logs, event 8002)", data: data)
            : HealthCheckResult.Healthy(snapshot.Enabled ? "no unrecoverable objects known" : "scheduled scrub off", data));
    }
}
