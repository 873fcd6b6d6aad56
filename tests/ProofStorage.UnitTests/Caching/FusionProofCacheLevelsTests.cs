using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ZiggyCreatures.Caching.Fusion.Internals;
using ZiggyCreatures.Caching.Fusion.Internals.Distributed;

namespace ProofStorage.UnitTests.Caching;

/// <summary>The cache levels over an in-process distributed cache (no I/O): two caches sharing it act as two instances.</summary>
public sealed class FusionProofCacheLevelsTests : IDisposable
{
    private readonly MemoryDistributedCache _shared = new(Options.Create(new MemoryDistributedCacheOptions()));
    private readonly List<FusionProofCache> _caches = [];

    [Fact]
    public async Task GetOrLoadAsync_200ConcurrentCallers_RunOneLoad()
    {
        const int callers = 200;
        var cache = Track(new FusionProofCache(Options.Create(new CacheOptions())));
        var document = CacheTestDocuments.Create("stampede");
        var loads = 0;
        var issued = 0;
        using var gate = new ManualResetEventSlim();

        // The load cannot finish before every caller has made its call: all 200 overlap it, however the threads are
        // scheduled, so each either runs the load or waits for the one that does.
        var everyCallMade = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, callers).Select(_ => Task.Run(() =>
        {
            gate.Wait();
            var call = cache.GetOrLoadAsync(document.ProofId, async (_, token) =>
            {
                Interlocked.Increment(ref loads);
                await everyCallMade.Task.WaitAsync(token);
                return document;
            }, CancellationToken.None);
            if (Interlocked.Increment(ref issued) == callers)
            {
                everyCallMade.TrySetResult();
            }

            return call;
        })).ToList();
        gate.Set();
        var results = await Task.WhenAll(calls);

        Assert.Equal(1, loads);
        // Each caller gets its own document, all over the one loaded copy of the bytes.
        Assert.All(results, r => Assert.True(document.SharesBytesWith(r!)));
        Assert.Equal(callers - 1, cache.Snapshot().Memory.Hits);
    }

    [Fact]
    public async Task GetOrLoadAsync_OnAnotherInstanceAfterSet_IsAnL2HitWithoutLoad()
    {
        var a = Create();
        var b = Create();
        var document = CacheTestDocuments.Create("l2");
        await a.SetAsync(document, CancellationToken.None);

        var read = await b.GetOrLoadAsync(document.ProofId, Unexpected, CancellationToken.None);

        Assert.Equal(document.Json.ToArray(), read!.Json.ToArray());
        Assert.Equal(1, b.Snapshot().Levels[1].Hits);
        Assert.Equal(document.CacheSize, b.Snapshot().Memory.Bytes);
    }

    [Fact]
    public async Task NegativeLookup_IsSharedThroughL2_AndClearedByAStoreOnAnyInstance()
    {
        var a = Create();
        var b = Create();
        var document = CacheTestDocuments.Create("negative");
        var loads = 0;
        Task<ProofDocument?> Missing(string id, CancellationToken token)
        {
            Interlocked.Increment(ref loads);
            return Task.FromResult<ProofDocument?>(null);
        }

        Assert.Null(await b.GetOrLoadAsync(document.ProofId, Missing, CancellationToken.None));
        Assert.Null(await b.GetOrLoadAsync(document.ProofId, Missing, CancellationToken.None));
        Assert.Null(await a.GetOrLoadAsync(document.ProofId, Missing, CancellationToken.None));
        Assert.Equal(1, loads);

        await a.SetAsync(document, CancellationToken.None);

        Assert.Equal(document.ProofId, (await b.GetOrLoadAsync(document.ProofId, Unexpected, CancellationToken.None))!.ProofId);
    }

    [Fact]
    public async Task SetAsync_OverANegativeEntry_IsOneL2WriteUnderTheProofsKeyAndNoDelete()
    {
        var counting = new CountingDistributedCache(_shared);
        var a = Create(cache: counting);
        var b = Create(cache: counting);
        var document = CacheTestDocuments.Create("negative-then-set");
        Assert.Null(await b.GetOrLoadAsync(document.ProofId, (_, _) => Task.FromResult<ProofDocument?>(null), CancellationToken.None));
        Assert.Equal(["v2:" + document.ProofId], counting.Writes);
        counting.Clear();

        await a.SetAsync(document, CancellationToken.None);

        Assert.Equal(["v2:" + document.ProofId], counting.Writes);
        Assert.Empty(counting.Removes);
        Assert.Equal(document.ProofId, (await b.GetOrLoadAsync(document.ProofId, Unexpected, CancellationToken.None))!.ProofId);
    }

    [Fact]
    public async Task NegativeLookup_AnsweredByL2_IsCountedAsANegativeHitNotAnL2Hit()
    {
        var a = Create();
        var b = Create();
        var id = CacheTestDocuments.Create("counted").ProofId;
        Assert.Null(await a.GetOrLoadAsync(id, (_, _) => Task.FromResult<ProofDocument?>(null), CancellationToken.None));

        Assert.Null(await b.GetOrLoadAsync(id, Unexpected, CancellationToken.None));

        var redis = b.Snapshot().Levels[1];
        Assert.Equal((0, 1, 1L), (redis.Hits, redis.Misses, redis.NegativeHits ?? 0));
    }

    [Fact]
    public async Task GetOrLoadAsync_L2EntryOfAnotherProofUnderThisId_IsNotServed()
    {
        var serializer = new ProofDocumentCacheSerializer(CacheTestDocuments.Codec, 1024 * 1024);
        var cache = Create(serializer);
        var genuine = CacheTestDocuments.Create("genuine");
        var other = CacheTestDocuments.Create("other");

        // Someone with write access to Redis copies another proof's authentic value under this id.
        var entry = new FusionCacheDistributedEntry<ProofDocument?>(other, DateTimeOffset.UtcNow.UtcTicks,
            DateTimeOffset.UtcNow.AddHours(1).UtcTicks, [], new FusionCacheEntryMetadata(false, null, null, null, other.CacheSize, null));
        await _shared.SetAsync("v2:" + genuine.ProofId, serializer.Serialize(entry));

        var read = await cache.GetOrLoadAsync(genuine.ProofId, (_, _) => Task.FromResult<ProofDocument?>(genuine), CancellationToken.None);

        Assert.Equal(genuine.ProofId, read!.ProofId);
    }

    [Fact]
    public void Snapshot_WithoutDistributedLevel_HasOnlyMemory()
    {
        var cache = Track(new FusionProofCache(Options.Create(new CacheOptions())));

        Assert.Equal(["memory"], cache.Snapshot().Levels.Select(l => l.Level));
    }

    public void Dispose()
    {
        foreach (var cache in _caches)
        {
            cache.Dispose();
        }
    }

    private FusionProofCache Create(ProofDocumentCacheSerializer? serializer = null, IDistributedCache? cache = null) =>
        Track(new FusionProofCache(Options.Create(new CacheOptions { NegativeDuration = TimeSpan.FromMinutes(10) }),
            new DistributedProofCacheLevel("redis", cache ?? _shared, serializer ?? new ProofDocumentCacheSerializer(CacheTestDocuments.Codec, 1024 * 1024), backplane: null)));

    private FusionProofCache Track(FusionProofCache cache)
    {
        _caches.Add(cache);
        return cache;
    }

    private static Task<ProofDocument?> Unexpected(string id, CancellationToken token) =>
        throw new InvalidOperationException($"No storage read was expected for {id}.");

    /// <summary>Records the keys written and removed through it (what an L2 round trip would be).</summary>
    private sealed class CountingDistributedCache(IDistributedCache inner) : IDistributedCache
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _writes = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _removes = new();

        public IReadOnlyList<string> Writes => [.. _writes];

        public IReadOnlyList<string> Removes => [.. _removes];

        public void Clear()
        {
            _writes.Clear();
            _removes.Clear();
        }

        public byte[]? Get(string key) => inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => inner.GetAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        {
            _writes.Enqueue(key);
            inner.Set(key, value, options);
        }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            _writes.Enqueue(key);
            return inner.SetAsync(key, value, options, token);
        }

        public void Refresh(string key) => inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

        public void Remove(string key)
        {
            _removes.Enqueue(key);
            inner.Remove(key);
        }

        public Task RemoveAsync(string key, CancellationToken token = default)
        {
            _removes.Enqueue(key);
            return inner.RemoveAsync(key, token);
        }
    }
}
