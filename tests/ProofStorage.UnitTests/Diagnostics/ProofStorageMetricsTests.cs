using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ProofStorage.Core;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ProofStorage.Core.Storage;
using ProofStorage.Testing;
using ProofStorage.UnitTests.Caching;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.UnitTests.Diagnostics;

/// <summary>
/// The <c>ProofStorage</c> meter as the store records it. Each test owns its meter, so collectors see only its events.
/// </summary>
public sealed class ProofStorageMetricsTests : IDisposable
{
    private readonly ProofStorageMetrics _metrics = new();
    private readonly InMemoryStorageProvider _provider = new("primary");
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _metrics.Dispose();
    }

    [Fact]
    public async Task StoreAsync_NewThenDuplicateImage_CountsOneCreatedProofAndOneDedupHit()
    {
        using var created = Collect<long>("proofstorage.proofs.created");
        using var dedup = Collect<long>("proofstorage.dedup.hits");
        using var raw = Collect<long>("proofstorage.store.raw_bytes");
        using var stored = Collect<long>("proofstorage.store.stored_bytes");
        using var ratio = Collect<double>("proofstorage.store.compression_ratio");
        var store = Store();

        var first = await store.StoreAsync(Command("a", Repetitive()), default);
        var second = await store.StoreAsync(Command("a", "{\"other\":1}"), default);

        Assert.True(second.Deduplicated);
        Assert.Equal(1, Sum(created));
        Assert.Equal(1, Sum(dedup));
        Assert.Equal(first.Document.Json.Length, Sum(raw));
        Assert.Equal(first.Document.StoredBytes, Sum(stored));
        var measured = Assert.Single(ratio.GetMeasurementSnapshot()).Value;
        Assert.Equal((double)first.Document.Gzip.Length / first.Document.Json.Length, measured, 6);
        Assert.InRange(measured, 0.01, 0.5);
    }

    [Fact]
    public async Task GetAsync_CachedThenMissing_CountsAnL1HitThenL1AndProviderMisses()
    {
        var store = Store();
        var document = (await store.StoreAsync(Command("a", "[1]"), default)).Document;
        using var hits = Collect<long>("proofstorage.cache.hits");
        using var misses = Collect<long>("proofstorage.cache.misses");

        Assert.NotNull(await store.GetAsync(document.ProofId, default));
        Assert.Equal(1, Sum(hits, "l1"));
        Assert.Equal(0, Sum(misses, "l1"));

        Assert.Null(await store.GetAsync("AAAAAAAAAAAAAAAAAAAAAA", default));
        Assert.Equal(1, Sum(hits, "l1"));
        Assert.Equal(1, Sum(misses, "l1"));
        Assert.Equal(1, Sum(misses, "provider"));
        Assert.Equal(0, Sum(hits, "provider"));
    }

    [Fact]
    public async Task GetAsync_ColdCacheOverAStoredProof_CountsAProviderHit()
    {
        var document = (await Store().StoreAsync(Command("a", "[1]"), default)).Document;
        var coldStore = Store();
        using var hits = Collect<long>("proofstorage.cache.hits");
        using var misses = Collect<long>("proofstorage.cache.misses");

        Assert.NotNull(await coldStore.GetAsync(document.ProofId, default));
        Assert.NotNull(await coldStore.GetAsync(document.ProofId, default));

        Assert.Equal(1, Sum(misses, "l1"));
        Assert.Equal(1, Sum(hits, "provider"));
        Assert.Equal(1, Sum(hits, "l1"));
    }

    [Fact]
    public async Task ProviderCall_Failing_CountsAnErrorAndADurationTaggedWithProviderAndOperation()
    {
        var statistics = new StorageStatistics(_metrics);
        var chaos = new ChaosStorageProvider(_provider) { Unavailable = true };
        var instrumented = new InstrumentedStorageProvider(chaos, statistics.ForProvider(chaos.Name));
        using var errors = Collect<long>("proofstorage.provider.errors");
        using var duration = Collect<double>("proofstorage.provider.operation.duration");

        await Assert.ThrowsAsync<StorageUnavailableException>(() => instrumented.GetAsync("proofs/x", default));
        chaos.Unavailable = false;
        await instrumented.CreateIfAbsentAsync("proofs/y", new byte[] { 1 }, ObjectMetadata.None, default);

        var error = Assert.Single(errors.GetMeasurementSnapshot());
        Assert.Equal(1, error.Value);
        Assert.Equal("primary", error.Tags[ProofStorageMetrics.ProviderTag]);
        Assert.Equal("get", error.Tags[ProofStorageMetrics.OperationTag]);
        var durations = duration.GetMeasurementSnapshot();
        Assert.Equal(["get", "put"], durations.Select(d => (string)d.Tags[ProofStorageMetrics.OperationTag]!).Order());
        Assert.All(durations, d => Assert.InRange(d.Value, 0, 30));
        Assert.Equal(1, statistics.Providers.Single().Errors);
    }

    [Fact]
    public async Task ProviderCall_Cancelled_IsNotCountedAsAnError()
    {
        var neverAnswers = new TaskCompletionSource();
        var instrumented = new InstrumentedStorageProvider(new ChaosStorageProvider(_provider) { Hold = neverAnswers.Task },
            new StorageStatistics(_metrics).ForProvider("primary"));
        using var errors = Collect<long>("proofstorage.provider.errors");
        using var cancel = new CancellationTokenSource();

        var call = instrumented.GetAsync("proofs/x", cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        Assert.Empty(errors.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task GetOrLoadAsync_AnotherInstancesEntry_CountsAnL1MissAndAnL2Hit()
    {
        var shared = new MemoryDistributedCache(MsOptions.Create(new MemoryDistributedCacheOptions()));
        var writer = Own(CacheWithL2(shared, metrics: null));
        var reader = Own(CacheWithL2(shared, _metrics));
        var document = CacheTestDocuments.Create("l2-metrics");
        await writer.SetAsync(document, default);
        using var hits = Collect<long>("proofstorage.cache.hits");
        using var misses = Collect<long>("proofstorage.cache.misses");

        await reader.GetOrLoadAsync(document.ProofId, (id, _) => throw new InvalidOperationException($"unexpected load of {id}"), default);

        Assert.Equal(1, Sum(misses, "l1"));
        Assert.Equal(1, Sum(hits, "l2"));
        Assert.Equal(0, Sum(hits, "l1"));
        Assert.Equal(1, reader.Snapshot().Memory.Misses);
    }

    [Fact]
    public async Task StoreAsync_WithAListener_RecordsAStoreSpanAroundAProviderSpan()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ProofStorageActivities.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        var statistics = new StorageStatistics(_metrics);
        var store = Store(new InstrumentedStorageProvider(_provider, statistics.ForProvider(_provider.Name)), statistics);
        using var parent = new Activity("test").Start();

        var result = await store.StoreAsync(Command("traced", "[1]"), default);

        Activity[] mine;
        lock (spans)
        {
            mine = [.. spans.Where(s => s.TraceId == parent.TraceId)];
        }

        var storeSpan = Assert.Single(mine, s => s.OperationName == "proofstorage.store");
        Assert.Equal(result.Document.ProofId, storeSpan.GetTagItem("proofstorage.proof_id"));
        Assert.Equal(false, storeSpan.GetTagItem("proofstorage.deduplicated"));
        var providerSpan = Assert.Single(mine, s => s.OperationName == "provider put");
        Assert.Equal(storeSpan.SpanId, providerSpan.ParentSpanId);
        Assert.Equal("primary", providerSpan.GetTagItem(ProofStorageMetrics.ProviderTag));
    }

    private MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(_metrics.Meter, instrument);

    private static long Sum(MetricCollector<long> collector, string? level = null) =>
        collector.GetMeasurementSnapshot()
            .Where(m => level is null || Equals(m.Tags[ProofStorageMetrics.CacheLevelTag], level))
            .Sum(m => m.Value);

    private StorageManager Store(IStorageProvider? provider = null, StorageStatistics? statistics = null)
    {
        var cache = Own(new FusionProofCache(MsOptions.Create(new CacheOptions()), metrics: _metrics));
        var store = new StorageManager(provider ?? _provider, new ProofEnvelopeCodec(TestKeys.Ring()), cache, statistics ?? new StorageStatistics(_metrics),
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero)), MsOptions.Create(new ProofStorageOptions()),
            NullLogger<StorageManager>.Instance);
        return Own(store);
    }

    private static FusionProofCache CacheWithL2(IDistributedCache shared, ProofStorageMetrics? metrics) =>
        new(MsOptions.Create(new CacheOptions()),
            new DistributedProofCacheLevel("redis", shared, new ProofDocumentCacheSerializer(CacheTestDocuments.Codec, 1024 * 1024), backplane: null),
            metrics: metrics);

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private static string Repetitive() => "{\"claims\":[" + string.Join(',', Enumerable.Repeat("\"the same assertion, again\"", 200)) + "]}";

    private static StoreProofCommand Command(string image, string proof) =>
        new(ImageHash.Parse(TestKeys.ImageHash(image)), Encoding.UTF8.GetBytes(proof), null);
}
