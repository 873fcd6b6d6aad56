using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Security;
using ProofStorage.Core.Options;

namespace ProofStorage.Api;

/// <summary>
/// Logs once at start-up the figures a container's memory limit is sized from (docs/operations.md, sizing memory), as
/// this process applies them: the L1 byte budget, the in-flight body budget, what each connection may buffer ahead of
/// the application, and the GC's gen-0 budget (the shipped runtimeconfig's, unless the environment overrides it).
/// </summary>
internal sealed partial class MemoryBudgetReport(IOptions<CacheOptions> cache, IOptions<OverloadOptions> overload,
    IOptions<SocketTransportOptions> sockets, ILogger<MemoryBudgetReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        MemoryBudgets(logger, cache.Value.MemorySizeLimitBytes, overload.Value.MaxInFlightBodyBytes,
            sockets.Value.MaxReadBufferSize ?? 0, Gen0BudgetBytes(), System.Runtime.GCSettings.IsServerGC ? "server" : "workstation");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The gen-0 budget cap the GC runs with (0 when it reports none).</summary>
    internal static long Gen0BudgetBytes() =>
        GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out var value) ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information,
        Message = "Memory budgets: L1 cache {L1Bytes} B, request bodies in flight {BodyBytes} B, read buffer {ReadBufferBytes} B per connection, GC gen-0 budget {Gen0Bytes} B per heap ({GcMode} GC)")]
    private static partial void MemoryBudgets(ILogger logger, long l1Bytes, long bodyBytes, long readBufferBytes, long gen0Bytes, string gcMode);
}
