using Microsoft.Extensions.Logging.Abstractions;
using ProofStorage.Core;
using ProofStorage.Core.Storage;
using ProofStorage.Storage.Failover;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>The failover pair over in-memory providers with injected outages (its replication log is on disk).</summary>
public sealed class FailoverStorageProviderTests : IDisposable
{
    private static readonly byte[] Body = [1, 2, 3];
    private readonly string _logFolder = TestFolders.New("replication");
    private readonly InMemoryStorageProvider _primaryStore = new("primary");
    private readonly InMemoryStorageProvider _secondaryStore = new("secondary");
    private readonly ChaosStorageProvider _primary;
    private readonly ChaosStorageProvider _secondary;
    private readonly FailoverStorageProvider _pair;

    public FailoverStorageProviderTests()
    {
        _primary = new ChaosStorageProvider(_primaryStore);
        _secondary = new ChaosStorageProvider(_secondaryStore);
        _pair = NewPair();
    }

    public void Dispose() => Directory.Delete(_logFolder, recursive: true);

    [Fact]
    public async Task CreateIfAbsent_BothUp_WritesBothCopiesAndLogsNothing()
    {
        Assert.True(await _pair.CreateIfAbsentAsync("proofs/a", Body, ObjectMetadata.None, default));

        Assert.Equal(Body, _primaryStore.Objects["proofs/a"].Content.ToArray());
        Assert.Equal(Body, _secondaryStore.Objects["proofs/a"].Content.ToArray());
        Assert.Equal(0, _pair.PendingReplications);
    }

    [Fact]
    public async Task CreateIfAbsent_PrimaryDown_SecondaryAcknowledgesAndTheLogFillsThePrimaryLater()
    {
        _primary.Unavailable = true;

        Assert.True(await _pair.CreateIfAbsentAsync("proofs/a", Body, ObjectMetadata.None, default));
        Assert.Equal(1, _pair.PendingReplications);
        Assert.Equal(0, await _pair.DrainAsync(default));

        _primary.Unavailable = false;
        Assert.Equal(1, await NewPair().DrainAsync(default)); // a restarted process reloads the log from disk
        Assert.Equal(Body, _primaryStore.Objects["proofs/a"].Content.ToArray());
    }

    [Fact]
    public async Task Drain_PrimaryHoldsAnotherCopyMeanwhile_ThePrimaryCopyWinsOnBothSides()
    {
        _primary.Unavailable = true;
        await _pair.CreateIfAbsentAsync("proofs/a", Body, ObjectMetadata.None, default);
        _primary.Unavailable = false;
        await _primaryStore.CreateIfAbsentAsync("proofs/a", new byte[] { 9 }, ObjectMetadata.None, default);

        await _pair.DrainAsync(default);

        Assert.Equal(new byte[] { 9 }, _primaryStore.Objects["proofs/a"].Content.ToArray());
        Assert.Equal(new byte[] { 9 }, _secondaryStore.Objects["proofs/a"].Content.ToArray());
    }

    [Fact]
    public async Task CreateIfAbsent_BothDown_ThrowsUnavailableAndLogsNothing()
    {
        _primary.Unavailable = true;
        _secondary.Unavailable = true;

        await Assert.ThrowsAsync<StorageUnavailableException>(() => _pair.CreateIfAbsentAsync("proofs/a", Body, ObjectMetadata.None, default));
        Assert.Equal(0, _pair.PendingReplications);
    }

    [Fact]
    public async Task Get_PrimaryMissesButSecondaryHolds_ServesAndRepairsThePrimary()
    {
        await _secondaryStore.PutAsync("proofs/a", Body, ObjectMetadata.None, default);

        var found = await _pair.GetAsync("proofs/a", default);

        Assert.Equal(Body, found!.Content.ToArray());
        Assert.Equal(Body, _primaryStore.Objects["proofs/a"].Content.ToArray());
    }

    [Fact]
    public async Task Delete_SecondaryDown_LogsAPendingDeleteAndReadsDoNotResurrectTheProof()
    {
        await _pair.CreateIfAbsentAsync("proofs/a", Body, ObjectMetadata.None, default);
        _secondary.Unavailable = true;

        Assert.True(await _pair.DeleteAsync("proofs/a", default));
        _secondary.Unavailable = false;

        Assert.Null(await _pair.GetAsync("proofs/a", default));
        Assert.False(_primaryStore.Objects.ContainsKey("proofs/a"));
        // The secondary's breaker opened on that failure (1 of 2 calls): a fresh process drains at once.
        Assert.Equal("Open", _pair.Secondary.Breaker.CircuitState.ToString());
        Assert.Equal(1, await NewPair().DrainAsync(default));
        Assert.False(_secondaryStore.Objects.ContainsKey("proofs/a"));
    }

    [Fact]
    public async Task PrimaryKeepsFailing_TheBreakerOpensAndThePrimaryIsNoLongerCalled()
    {
        await _secondaryStore.PutAsync("proofs/a", Body, ObjectMetadata.None, default);
        _primary.Unavailable = true;
        for (var i = 0; i < 4; i++)
        {
            await _pair.GetAsync("proofs/a", default);
        }

        Assert.Equal("Open", _pair.Primary.Breaker.CircuitState.ToString());
        var before = _primaryStore.Gets;
        _primary.Unavailable = false;
        await _pair.GetAsync("proofs/a", default);
        Assert.Equal(before, _primaryStore.Gets);
    }

    [Fact]
    public void GetCapability_AnswersForThePairThenAsksThePrimary()
    {
        IStorageProvider store = _pair;

        Assert.Same(_pair, store.GetCapability<FailoverStorageProvider>());
        Assert.Same(_primaryStore, store.GetCapability<InMemoryStorageProvider>());
    }

    [Fact]
    public async Task CheckHealth_SecondaryDown_ServesDegradedAndReportsEachMemberWithItsCircuit()
    {
        _secondary.Unavailable = true;
        await _pair.CreateIfAbsentAsync("proofs/a", Body, ObjectMetadata.None, default);

        var health = await _pair.CheckHealthAsync(default);

        Assert.True(health.IsHealthy);
        Assert.True(health.IsDegraded);
        Assert.Equal(1, health.Data["pendingReplications"]);
        Assert.Equal(["primary", "secondary"], health.Members.Select(m => m.Role));
        var secondary = health.Members[1];
        Assert.False(secondary.Health.IsHealthy);
        Assert.Equal("Closed", secondary.Health.Data["circuit"]);
        Assert.Equal("primary healthy, circuit Closed; secondary unhealthy, circuit Closed", health.Description);
    }

    private FailoverStorageProvider NewPair() => new(_primary, _secondary, new ReplicationLog(_logFolder),
        new FailoverOptions { MinimumThroughput = 2, BreakDuration = TimeSpan.FromSeconds(30) }, TimeProvider.System, NullLogger.Instance);
}
