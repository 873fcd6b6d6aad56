using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ProofStorage.Core;
using ProofStorage.Core.Access;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ProofStorage.Testing;
using ProofStorage.UnitTests.Core;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.UnitTests.Access;

/// <summary>Where the store counts: reads where a proof is handed out, duplicates where a store is answered with the existing proof.</summary>
public sealed class StorageManagerAccessTests : IDisposable
{
    private readonly InMemoryStorageProvider _provider = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
    private readonly List<IDisposable> _owned = [];

    public void Dispose() => _owned.ForEach(d => d.Dispose());

    [Fact]
    public async Task Reads_ThroughEveryLookup_CountOncePerProofHandedOut()
    {
        var (store, _, tracking) = Instance();
        var stored = await store.StoreAsync(StorageManagerTests.Command("read", "[1]"), default);
        var id = stored.Document.ProofId;

        Assert.NotNull(await store.GetAsync(id, default));
        Assert.NotNull(await store.GetByImageAsync(stored.Document.ImageHash!.Value, default));
        await store.LookupAsync([id, "AAAAAAAAAAAAAAAAAAAAAA"], default);
        // The cached read; while another test records spans it declines, and the caller reads through GetAsync instead.
        if (!store.TryGetCached(id, out var cached))
        {
            cached = await store.GetAsync(id, default);
        }

        cached!.Dispose();
        Assert.Null(await store.GetAsync("AAAAAAAAAAAAAAAAAAAAAA", default));

        var counts = Assert.Single(tracking.Tracker.Drain());
        Assert.Equal(new ProofAccessCounts(id, 4, 0, _time.GetUtcNow(), null), counts);
    }

    [Fact]
    public async Task DuplicateStores_CountAsDuplicates_NotReads_OnTheInstanceThatCachedItAndOnOneThatDidNot()
    {
        var (first, _, firstTracking) = Instance();
        var (second, _, secondTracking) = Instance();
        var stored = await first.StoreAsync(StorageManagerTests.Command("dup", "[1]"), default);

        // L1 answers the first instance; the second loses the create and reads the proof: still one duplicate, no read.
        Assert.True((await first.StoreAsync(StorageManagerTests.Command("dup", "[2]"), default)).Deduplicated);
        Assert.True((await second.StoreAsync(StorageManagerTests.Command("dup", "[3]"), default)).Deduplicated);

        Assert.Equal(new ProofAccessCounts(stored.Document.ProofId, 0, 1, null, _time.GetUtcNow()), Assert.Single(firstTracking.Tracker.Drain()));
        Assert.Equal(new ProofAccessCounts(stored.Document.ProofId, 0, 1, null, _time.GetUtcNow()), Assert.Single(secondTracking.Tracker.Drain()));
    }

    [Fact]
    public async Task FlushAsync_WritesTheCountsAndRefreshesTheRanking()
    {
        var (store, _, tracking) = Instance();
        var stored = await store.StoreAsync(StorageManagerTests.Command("flush", "[1]"), default);
        await store.GetAsync(stored.Document.ProofId, default);
        await store.GetAsync(stored.Document.ProofId, default);

        await tracking.FlushAsync(default);

        Assert.Equal(2, (await store.GetAccessAsync(stored.Document.ProofId, default))!.Reads);
        var snapshot = store.GetStatistics().Access!;
        Assert.Equal([new RankedProof(stored.Document.ProofId, 2)], snapshot.Top.MostRead);
        Assert.Equal(1, snapshot.Flushes);
        Assert.Equal("storage", snapshot.Store);
        Assert.Equal(_time.GetUtcNow(), snapshot.LastFlushAt);
    }

    [Fact]
    public async Task GetAccessAsync_ProofNeverTouched_HasZeroCounts_UnknownProof_IsNull()
    {
        var (store, _, _) = Instance();
        var stored = await store.StoreAsync(StorageManagerTests.Command("untouched", "[1]"), default);

        Assert.Equal(new ProofAccessCounts(stored.Document.ProofId, 0, 0, null, null), await store.GetAccessAsync(stored.Document.ProofId, default));
        Assert.Null(await store.GetAccessAsync("AAAAAAAAAAAAAAAAAAAAAA", default));
        Assert.Null(await store.GetAccessAsync("legacy-unknown", default));
    }

    [Fact]
    public async Task TrackingOff_CountsNothing_AndSaysSo()
    {
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using var store = StorageManagerTests.Create(_provider, cache, _time);
        var stored = await store.StoreAsync(StorageManagerTests.Command("off", "[1]"), default);
        await store.GetAsync(stored.Document.ProofId, default);

        Assert.False(store.AccessTrackingEnabled);
        Assert.Null(store.GetStatistics().Access);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetAccessAsync(stored.Document.ProofId, default));
    }

    private (StorageManager Store, FusionProofCache Cache, ProofAccessTracking Tracking) Instance()
    {
        var options = MsOptions.Create(new AccessTrackingOptions { Enabled = true });
        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        var tracking = new ProofAccessTracking(new ProviderAccessStore(_provider, codec, NullLogger.Instance), options, _time,
            NullLogger<ProofAccessTracking>.Instance);
        var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        var store = new StorageManager(_provider, codec, cache, new StorageStatistics(), _time, MsOptions.Create(new ProofStorageOptions()),
            NullLogger<StorageManager>.Instance, tracking);
        _owned.AddRange([store, cache]);
        return (store, cache, tracking);
    }
}
