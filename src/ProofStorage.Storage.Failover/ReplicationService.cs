using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ProofStorage.Storage.Failover;

/// <summary>
/// Drains the replication log of the failover pair in the background until both copies agree. It asks for the pair
/// when it starts; without one (no <c>Secondary</c> configured) it is given none and returns at once.
/// </summary>
internal sealed class ReplicationService(Func<FailoverStorageProvider?> findPair, IOptions<FailoverOptions> options, TimeProvider time,
    ILogger<ReplicationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (findPair() is not { } pair)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.ReplicationInterval, time);
        do
        {
            try
            {
                if (pair.PendingReplications > 0)
                {
                    await pair.DrainAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Never let one bad round stop the host (a BackgroundService exception would): retry next tick.
                Log.ReplicationRoundFailed(logger, ex, pair.Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
