using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using ProofStorage.Api.Telemetry;
using ProofStorage.Core;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Storage;
using ProofStorage.Storage.Failover;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Monitoring;

/// <summary>
/// The gauges the alerting rules need, each fed by the component that owns the state: the failover pair (circuits,
/// replication backlog), the filesystem provider (its disk), the Redis connection, the readiness probe.
/// </summary>
public sealed class StoreGaugesTests : IDisposable
{
    private readonly ProofStorageMetrics _metrics = new();
    private readonly string _logFolder = TestFolders.New("replication");

    public void Dispose()
    {
        _metrics.Dispose();
        if (Directory.Exists(_logFolder))
        {
            Directory.Delete(_logFolder, recursive: true);
        }
    }

    [Fact]
    public async Task FailoverPair_PrimaryUnreachable_ReportsItsCircuitOpenAndTheBacklog()
    {
        var primary = new ChaosStorageProvider(new InMemoryStorageProvider("primary"));
        var secondary = new ChaosStorageProvider(new InMemoryStorageProvider("secondary"));
        using var pair = new FailoverStorageProvider(primary, secondary, new ReplicationLog(_logFolder),
            new FailoverOptions { MinimumThroughput = 2, BreakDuration = TimeSpan.FromSeconds(30) }, TimeProvider.System, NullLogger.Instance);
        pair.ObserveOn(_metrics);
        using var circuits = new MetricCollector<int>(_metrics.Meter, "proofstorage.provider.circuit.open");
        using var backlog = new MetricCollector<long>(_metrics.Meter, "proofstorage.replication.pending");

        Assert.Equal((0, 0, 0L), Observe(circuits, backlog));

        primary.Unavailable = true;
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await pair.CreateIfAbsentAsync($"proofs/{i}", new byte[] { 1 }, ObjectMetadata.None, default));
        }

        Assert.Equal((1, 0, 3L), Observe(circuits, backlog));
        Assert.Equal("primary+secondary", backlog.LastMeasurement!.Tags[ProofStorageMetrics.ProviderTag]);
    }

    [Fact]
    public void FileSystemProvider_ReportsTheFreeAndTotalBytesOfItsDisk()
    {
        using var factory = new ProofStorageApiFactory();
        _ = factory.Services.GetRequiredService<IStorageProvider>();
        var metrics = factory.Services.GetRequiredService<ProofStorageMetrics>();
        using var available = new MetricCollector<long>(metrics.Meter, "proofstorage.filesystem.available");
        using var size = new MetricCollector<long>(metrics.Meter, "proofstorage.filesystem.size");

        available.RecordObservableInstruments();
        size.RecordObservableInstruments();

        var free = Assert.Single(available.GetMeasurementSnapshot());
        var total = Assert.Single(size.GetMeasurementSnapshot());
        Assert.Equal("primary", free.Tags[ProofStorageMetrics.ProviderTag]);
        Assert.InRange(free.Value, 1, total.Value);
        // The provider's root is under the data folder: the same file system the test sees.
        Assert.Equal(new DriveInfo(factory.DataPath).TotalSize, total.Value);
    }

    [Fact]
    public async Task RedisConnection_ConnectedThenKilled_ReportsOneThenZero()
    {
        await using var redis = await RedisServer.StartLocalAsync();
        using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Redis:Enabled"] = "true";
        factory.Settings["ProofStorage:Redis:Configuration"] = redis.Endpoint;
        factory.Settings["ProofStorage:Redis:KeyPrefix"] = "gauge-" + Guid.NewGuid().ToString("N") + ":";
        using var client = factory.CreateClient();
        var metrics = factory.Services.GetRequiredService<ProofStorageMetrics>();
        using var connected = new MetricCollector<int>(metrics.Meter, "proofstorage.cache.l2.connected");

        await WaitForAsync(connected, 1, "the L2 connection to be reported");
        await redis.KillAsync();
        await WaitForAsync(connected, 0, "the lost L2 connection to be reported");
    }

    [Fact]
    public void ReadinessStatus_AReport_IsExportedPerCheckAsItsStatusValue()
    {
        var readiness = new ReadinessStatus(_metrics);
        using var statuses = new MetricCollector<int>(_metrics.Meter, "proofstorage.health.status");

        statuses.RecordObservableInstruments();
        Assert.Empty(statuses.GetMeasurementSnapshot());

        readiness.Record(new HealthReport(new Dictionary<string, HealthReportEntry>
        {
            ["storage"] = new(HealthStatus.Degraded, "secondary unhealthy", TimeSpan.Zero, null, null),
            ["redis"] = new(HealthStatus.Unhealthy, "away", TimeSpan.Zero, null, null),
        }, TimeSpan.Zero));
        statuses.RecordObservableInstruments();

        var reported = statuses.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[ProofStorageMetrics.CheckTag]!, m => m.Value);
        Assert.Equal(new Dictionary<string, int> { ["storage"] = 1, ["redis"] = 0 }, reported);
    }

    [Fact]
    public async Task Service_AReadinessProbe_IsExportedAsTheHealthStatusOfEachCheck()
    {
        using var factory = new ProofStorageApiFactory();
        using var client = factory.CreateAnonymousClient();
        var metrics = factory.Services.GetRequiredService<ProofStorageMetrics>();
        using var statuses = new MetricCollector<int>(metrics.Meter, "proofstorage.health.status");

        statuses.RecordObservableInstruments();
        Assert.Empty(statuses.GetMeasurementSnapshot());
        using (var ready = await client.GetAsync("/health/ready"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        }

        statuses.RecordObservableInstruments();
        var reported = statuses.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[ProofStorageMetrics.CheckTag]!, m => m.Value);
        Assert.Equal((int)HealthStatus.Healthy, reported["storage"]);
        Assert.Equal((int)HealthStatus.Healthy, reported["redis"]);
    }

    private static (int Primary, int Secondary, long Pending) Observe(MetricCollector<int> circuits, MetricCollector<long> backlog)
    {
        circuits.Clear();
        backlog.Clear();
        circuits.RecordObservableInstruments();
        backlog.RecordObservableInstruments();
        var byMember = circuits.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[ProofStorageMetrics.ProviderTag]!, m => m.Value);
        return (byMember["primary"], byMember["secondary"], Assert.Single(backlog.GetMeasurementSnapshot()).Value);
    }

    private static Task WaitForAsync(MetricCollector<int> collector, int expected, string what) =>
        Poll.UntilAsync(() =>
        {
            collector.Clear();
            collector.RecordObservableInstruments();
            return collector.GetMeasurementSnapshot().Any(m => m.Value == expected);
        }, TimeSpan.FromSeconds(30), what);
}
