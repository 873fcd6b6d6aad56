using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ZiggyCreatures.Caching.Fusion;

namespace ProofStorage.Core.Caching;

/// <summary>
/// L1 on FusionCache over a <see cref="MemoryCache"/> whose <c>SizeLimit</c> is a byte budget: each entry is
/// charged <see cref="ProofDocument.CacheSize"/>. FusionCache gives stampede protection (one load per id per
/// instance) and is where the optional Redis L2 and backplane plug in.
/// </summary>
internal sealed class FusionProofCache : IProofCache, IDisposable
{
    private readonly MemoryCache _memory;
    private readonly FusionCache _cache;
    private readonly FusionCacheEntryOptions _entryOptions;
    private readonly long _limitBytes;
    private long _lookups;
    private long _misses;
    private long _evictions;

    public FusionProofCache(IOptions<CacheOptions> options)
    {
        var cacheOptions = options.Value;
        _limitBytes = Math.Max(1, cacheOptions.MemorySizeLimitBytes);
        _memory = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = _limitBytes,
            TrackStatistics = true,
            CompactionPercentage = 0.10,
        });
        _entryOptions = new FusionCacheEntryOptions
        {
            Duration = cacheOptions.MemoryDuration,
            Size = ProofDocument.OverheadBytes,
        };
        _cache = new FusionCache(new FusionCacheOptions { CacheName = "proofs", DefaultEntryOptions = _entryOptions }, _memory);
        _cache.Events.Memory.Eviction += (_, _) => Interlocked.Increment(ref _evictions);
    }

    public bool TryGet(string proofId, [NotNullWhen(true)] out ProofDocument? document)
    {
        Interlocked.Increment(ref _lookups);
        var maybe = _cache.TryGet<ProofDocument?>(proofId, _entryOptions);
        document = maybe.HasValue ? maybe.Value : null;
        if (document is null)
        {
            Interlocked.Increment(ref _misses);
            return false;
        }

        return true;
    }

    public async Task<ProofDocument?> GetOrLoadAsync(string proofId, Func<string, CancellationToken, Task<ProofDocument?>> load,
        CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        return await _cache.GetOrSetAsync<ProofDocument?>(proofId, async (context, token) =>
        {
            Interlocked.Increment(ref _misses);
            var document = await load(proofId, token).ConfigureAwait(false);
            if (document is null)
            {
                // A miss is not remembered: the next request asks the provider again.
                context.Options.SkipMemoryCacheWrite = true;
            }
            else
            {
                context.Options.Size = document.CacheSize;
            }

            return document;
        }, default, _entryOptions, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetAsync(ProofDocument document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var entry = _entryOptions.Duplicate();
        entry.Size = document.CacheSize;
        await _cache.SetAsync<ProofDocument?>(document.ProofId, document, entry, cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(string proofId, CancellationToken cancellationToken) =>
        await _cache.RemoveAsync(proofId, _entryOptions, cancellationToken).ConfigureAwait(false);

    public CacheSnapshot Snapshot()
    {
        var stats = _memory.GetCurrentStatistics();
        var lookups = Volatile.Read(ref _lookups);
        var misses = Volatile.Read(ref _misses);
        var hits = Math.Max(0, lookups - misses);
        return new CacheSnapshot([
            new CacheLevelSnapshot("memory", hits, misses, lookups == 0 ? 0 : Math.Round((double)hits / lookups, 4),
                stats?.CurrentEntryCount ?? 0, stats?.CurrentEstimatedSize ?? 0, Volatile.Read(ref _evictions), _limitBytes),
        ]);
    }

    public void Dispose()
    {
        _cache.Dispose();
        _memory.Dispose();
    }
}
