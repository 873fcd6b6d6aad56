using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Diagnostics;

namespace ProofStorage.Core.Storage;

/// <summary>Drains the replication log of a failover pair in the background until both copies agree. Idle without a pair.</summary>
internal sealed class ReplicationService(IStorageProvider storage, IOptions<FailoverOptions> options, TimeProvider time, ILogger<ReplicationService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage is not FailoverStorageProvider pair)
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
                Log.ProviderFailure(logger, ex, pair.Name, "replication");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
