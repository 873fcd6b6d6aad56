using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProofStorage.Core;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Storage;
using ProofStorage.Testing;

namespace ProofStorage.UnitTests.Core;

/// <summary>What the store asks of its provider without knowing which decorators or composites it is made of.</summary>
public sealed class StorageContractTests : IDisposable
{
    private readonly ProofStorageMetrics _metrics = new();

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public void GetCapability_ThroughInstrumentationAndChaos_FindsTheWrappedProvidersOwn()
    {
        var backend = new InMemoryStorageProvider("primary");
        var chaos = new ChaosStorageProvider(backend);
        IStorageProvider store = new InstrumentedStorageProvider(chaos, new StorageStatistics(_metrics).ForProvider("primary"));

        Assert.Same(backend, store.GetCapability<InMemoryStorageProvider>());
        Assert.Same(chaos, store.GetCapability<ChaosStorageProvider>());
        Assert.Null(store.GetCapability<IPresignedUrlProvider>());
    }

    [Fact]
    public async Task ReadinessOfOneBackend_ReportsItsProviderAndDuration()
    {
        var check = new StorageHealthCheck(Probed("primary", new ProviderHealth(true, "reachable", TimeSpan.FromMilliseconds(1.26))));

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("reachable", result.Description);
        Assert.Equal("primary", result.Data["provider"]);
        Assert.Equal(1.3, result.Data["durationMs"]);
    }

    [Fact]
    public async Task ReadinessOfACompositeWithOneMemberDown_IsDegradedAndReportsEachMemberUnderItsRole()
    {
        var circuit = new Dictionary<string, object> { ["circuit"] = "Open" };
        var health = new ProviderHealth(true, "primary unhealthy; secondary healthy", TimeSpan.FromMilliseconds(5))
        {
            Members =
            [
                new MemberHealth("primary", "primary", new ProviderHealth(false, "unreachable", TimeSpan.FromMilliseconds(5)) { Data = circuit }),
                new MemberHealth("secondary", "secondary", new ProviderHealth(true, "reachable", TimeSpan.FromMilliseconds(2))),
            ],
            Data = new Dictionary<string, object> { ["pendingReplications"] = 3 },
        };

        var result = await new StorageHealthCheck(Probed("primary+secondary", health)).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(3, result.Data["pendingReplications"]);
        var primary = Assert.IsType<Dictionary<string, object>>(result.Data["primary"]);
        Assert.Equal("Unhealthy", primary["status"]);
        Assert.Equal("Open", primary["circuit"]);
        Assert.Equal("Healthy", Assert.IsType<Dictionary<string, object>>(result.Data["secondary"])["status"]);
    }

    [Fact]
    public async Task ReadinessOfACompositeWithEveryMemberDown_IsUnhealthy()
    {
        var down = new ProviderHealth(false, "unreachable", TimeSpan.Zero);
        var health = new ProviderHealth(false, "both down", TimeSpan.Zero) { Members = [new("primary", "a", down), new("secondary", "b", down)] };

        var result = await new StorageHealthCheck(Probed("a+b", health)).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    /// <summary>A provider named <paramref name="name"/> whose probe answers <paramref name="health"/>.</summary>
    private static ChaosStorageProvider Probed(string name, ProviderHealth health) => new(new InMemoryStorageProvider(name)) { Health = health };
}
