using ProofStorage.Core.Caching;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ProofStorage.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.UnitTests.Caching;

public sealed class FusionProofCacheTests
{
    [Fact]
    public async Task SetAsync_FourTimesTheBudget_NeverHoldsMoreThanTheBudget()
    {
        const long budget = 1024 * 1024;
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions { MemorySizeLimitBytes = budget }));
        long written = 0;
        var i = 0;
        while (written < 4 * budget)
        {
            var document = Document(i++, 8 * 1024);
            written += document.CacheSize;
            await cache.SetAsync(document, default);
            Assert.True(cache.Snapshot().Memory.Bytes <= budget, $"cache holds {cache.Snapshot().Memory.Bytes} bytes > {budget}");
        }

        var snapshot = cache.Snapshot().Memory;
        Assert.True(snapshot.Bytes <= budget);
        Assert.True(snapshot.Entries > 0);
        Assert.True(snapshot.Entries < i);
    }

    [Fact]
    public async Task GetOrLoadAsync_ConcurrentColdRequests_LoadOnce()
    {
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        var loads = 0;
        var gate = new TaskCompletionSource();

        var document = Document(1, 100);

        var requests = Enumerable.Range(0, 200).Select(_ => cache.GetOrLoadAsync(document.ProofId, async (id, ct) =>
        {
            Interlocked.Increment(ref loads);
            await gate.Task;
            return document;
        }, default)).ToArray();
        gate.SetResult();
        var results = await Task.WhenAll(requests);

        Assert.Equal(1, loads);
        Assert.All(results, Assert.NotNull);
    }

    [Fact]
    public async Task GetOrLoadAsync_Miss_IsNotRemembered()
    {
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        var loads = 0;

        for (var i = 0; i < 3; i++)
        {
            await cache.GetOrLoadAsync("missing", (_, _) => { loads++; return Task.FromResult<ProofDocument?>(null); }, default);
        }

        Assert.Equal(3, loads);
    }

    [Fact]
    public async Task Snapshot_CountsHitsAndMisses()
    {
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        var document = Document(1, 10);
        await cache.SetAsync(document, default);

        Assert.True(cache.TryGet(document.ProofId, out _));
        Assert.False(cache.TryGet("other", out _));

        var memory = cache.Snapshot().Memory;
        Assert.Equal(1, memory.Hits);
        Assert.Equal(1, memory.Misses);
        Assert.Equal(0.5, memory.HitRate);
    }

    internal static ProofDocument Document(int n, int size)
    {
        var id = n.ToString("D22", System.Globalization.CultureInfo.InvariantCulture);
        return new ProofDocument(id, ImageHash.Parse(TestKeys.ImageHash(id)), DateTimeOffset.UnixEpoch, new byte[size], new byte[size / 4], "\"etag\"", new byte[size / 4 + 40]);
    }
}
