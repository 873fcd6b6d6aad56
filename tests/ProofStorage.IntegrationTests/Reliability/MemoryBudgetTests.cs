using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Reliability;

/// <summary>
/// What a container's memory limit is sized from (docs/operations.md) is what the built service runs with: its
/// runtimeconfig's GC gen-0 budget and the per-connection read buffer, as the process reports them at start-up.
/// </summary>
public sealed class MemoryBudgetTests
{
    private static readonly TimeSpan LogTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StartedService_RunsWithTheShippedGen0BudgetAndReadBuffer()
    {
        await using var service = await ServiceProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["ProofStorage__Cache__MemorySizeLimitBytes"] = "33554432",
        });

        // 4 MiB from ProofStorage.Api.runtimeconfig.json (System.GC.Gen0MaxBudget); the runtime's own is sized from the
        // CPU cache, tens of MiB, and let the L1 fill's garbage lie uncollected. 64 KiB per connection: Kestrel's
        // default is 1 MiB, held by every upload waiting for the body budget.
        await service.WaitForLogAsync(
            "Memory budgets: L1 cache 33554432 B, request bodies in flight 67108864 B, read buffer 65536 B per connection, GC gen-0 budget 4194304 B per heap",
            LogTimeout);
    }

    [Fact]
    public async Task StartedService_TakesTheOperatorsGen0BudgetAndReadBuffer()
    {
        await using var service = await ServiceProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["DOTNET_GCGen0MaxBudget"] = "800000",
            ["ProofStorage__Overload__ConnectionReadBufferBytes"] = "131072",
        });

        await service.WaitForLogAsync("read buffer 131072 B per connection, GC gen-0 budget 8388608 B per heap", LogTimeout);
    }
}
