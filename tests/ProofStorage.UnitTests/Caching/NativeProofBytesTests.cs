using ProofStorage.Core.Buffers;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ProofStorage.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.UnitTests.Caching;

/// <summary>
/// The L1's bytes live in native memory with a reference count (<see cref="NativeBuffer"/>): a document a caller holds
/// keeps its bytes however soon the cache evicts the entry; eviction plus the caller's dispose frees them; nothing
/// leaks. <see cref="NativeBuffer.LiveBytes"/> is process-wide, so these tests run alone.
/// </summary>
[Collection(NativeMemoryTestGroup.Name)]
public sealed class NativeProofBytesTests
{
    [Fact]
    public async Task ADocumentHeldByACaller_SurvivesEviction_AndItsBytesGoWhenItIsDisposed()
    {
        byte[] expected;
        string id;
        using (var probe = CacheTestDocuments.Create("held-through-eviction"))
        {
            expected = probe.Json.ToArray();
            id = probe.ProofId;
        }

        var baseline = NativeBuffer.LiveBytes;
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using (var stored = CacheTestDocuments.Create("held-through-eviction"))
        {
            await cache.SetAsync(stored, default);
        }

        Assert.True(cache.TryPeek(id, out var inFlight));
        await cache.RemoveAsync(inFlight.ProofId, default);
        Assert.False(cache.TryPeek(inFlight.ProofId, out _));

        // Evicted, and the cache has given its reference back; the caller's bytes are still there, unchanged.
        await WaitUntil(() => !SharesWithACachedEntry(cache, inFlight), "the entry left the cache");
        Assert.Equal(expected, inFlight.Json.ToArray());

        inFlight.Dispose();
        await WaitUntil(() => NativeBuffer.LiveBytes <= baseline, $"native bytes back to {baseline} (now {NativeBuffer.LiveBytes})");
        Assert.Throws<ObjectDisposedException>(() => inFlight.Json.Span.ToArray());
    }

    [Fact]
    public async Task WritingFourTimesTheBudget_ThenDroppingEveryHolder_LeavesNoNativeBytes()
    {
        var baseline = NativeBuffer.LiveBytes;
        const long budget = 256 * 1024;
        var held = new List<ProofDocument>();
        using (var cache = new FusionProofCache(MsOptions.Create(new CacheOptions { MemorySizeLimitBytes = budget })))
        {
            long written = 0;
            for (var i = 0; written < 4 * budget; i++)
            {
                using var document = FusionProofCacheTests.Document(i, 4 * 1024);
                written += document.CacheSize;
                await cache.SetAsync(document, default);
                if (i % 7 == 0 && cache.TryPeek(document.ProofId, out var reader))
                {
                    held.Add(reader);
                }
            }

            // Once the evictions have been handled, what is retained is within the budget plus what callers hold.
            var heldBytes = held.Sum(h => h.CacheSize - 320);
            await WaitUntil(() => NativeBuffer.LiveBytes - baseline <= budget + heldBytes,
                $"native bytes within budget {budget} + held {heldBytes} (now {NativeBuffer.LiveBytes - baseline})");
            Assert.All(held, h => Assert.Equal(h.RecordLength, h.Record.Span.Length));
        }

        foreach (var document in held)
        {
            document.Dispose();
        }

        await WaitUntil(() => NativeBuffer.LiveBytes <= baseline, $"native bytes back to {baseline} (now {NativeBuffer.LiveBytes})");
    }

    [Fact]
    public async Task AProofTooLargeForTheBudget_IsRefusedByL1_AndFreedOnceTheLoaderIsDone()
    {
        var baseline = NativeBuffer.LiveBytes;
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions { MemorySizeLimitBytes = 1 }));
        var loaded = await cache.GetOrLoadAsync(1.ToString("D22", System.Globalization.CultureInfo.InvariantCulture),
            (id, _) => Task.FromResult<ProofDocument?>(FusionProofCacheTests.Document(1, 8 * 1024)), default);

        Assert.NotNull(loaded);
        Assert.Equal(8 * 1024, loaded.Json.Span.Length);
        loaded.Dispose();
        await WaitUntil(() => NativeBuffer.LiveBytes <= baseline, $"native bytes back to {baseline} (now {NativeBuffer.LiveBytes})");
    }

    [Fact]
    public void TheLastRelease_FreesTheBlock_AndNoRetainCanReviveIt()
    {
        var block = NativeBuffer.Allocate(64);
        Assert.True(block.TryRetain());
        block.Release();
        Assert.False(block.IsFreed);
        block.Release();

        Assert.True(block.IsFreed);
        Assert.False(block.TryRetain());
        Assert.Throws<ObjectDisposedException>(() => block.GetSpan().Length);
        Assert.Throws<InvalidOperationException>(block.Release);
    }

    private static bool SharesWithACachedEntry(FusionProofCache cache, ProofDocument document)
    {
        if (!cache.TryPeek(document.ProofId, out var cached))
        {
            return false;
        }

        using (cached)
        {
            return cached.SharesBytesWith(document);
        }
    }

    // Evictions reach the cache's handler on the thread pool: wait for the condition, with a generous deadline.
    private static Task WaitUntil(Func<bool> condition, string what) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(30), what);
}

/// <summary>Tests that read the process-wide native byte counter run on their own, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryTestGroup
{
    public const string Name = "native memory";
}
