using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ZiggyCreatures.Caching.Fusion;

namespace ProofStorage.Core.Caching;

/// <summary>
/// L1 on FusionCache over a <see cref="MemoryCache"/> whose <c>SizeLimit</c> is a byte budget: each entry is
/// charged <see cref="ProofDocument.CacheSize"/>. FusionCache gives stampede protection (one load per id per
/// instance) and, when a <see cref="DistributedProofCacheLevel"/> is registered, the L2 and the backplane.
/// </summary>
/// <remarks>
/// Negative lookups ("no proof with this id"): with an L2 they are kept only in the L2, as an entry without a
/// proof under the proof's own key, for <see cref="CacheOptions.NegativeDuration"/>. A store on any instance writes
/// the proof's L2 entry over it before it answers, so the next lookup on every instance sees the proof without
/// waiting for a backplane message, and a store costs no extra Redis command to clear it. Without an L2 they are
/// kept in L1 for <see cref="CacheOptions.NegativeDuration"/>, where this instance's own stores replace them.
/// </remarks>
internal sealed class FusionProofCache : IProofCache, IDisposable
{
    private readonly MemoryCache _memory;
    private readonly FusionCache _cache;
    private readonly FusionCacheEntryOptions _entryOptions;
    private readonly FusionCacheEntryOptions _memoryOnlyOptions;
    private readonly FusionCacheEntryOptions _removeOptions;
    private readonly TimeSpan _negativeDuration;
    private readonly DistributedProofCacheLevel? _distributed;
    private readonly ILogger _logger;
    private readonly long _limitBytes;
    private readonly ProofStorageMetrics? _metrics;
    private long _memoryHits;
    private long _memoryMisses;
    private long _evictions;
    private long _distributedHits;
    private long _distributedMisses;
    private long _distributedErrors;
    private long _negativeHits;

    /// <summary>The lookup in progress on this async flow, so an L2 hit (reported by an event) is told apart from a coalesced wait.</summary>
    private static readonly AsyncLocal<LookupOutcome?> CurrentLookup = new();

    public FusionProofCache(IOptions<CacheOptions> options, DistributedProofCacheLevel? distributed = null, ILoggerFactory? loggers = null,
        ProofStorageMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cacheOptions = options.Value;
        _distributed = distributed;
        _metrics = metrics;
        loggers ??= Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<FusionProofCache>();
        _limitBytes = Math.Max(1, cacheOptions.MemorySizeLimitBytes);
        _negativeDuration = cacheOptions.NegativeDuration
            ?? (distributed?.Backplane is not null ? TimeSpan.FromSeconds(3) : TimeSpan.Zero);
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
            ReThrowSerializationExceptions = false,
            ReThrowDistributedCacheExceptions = false,
            ReThrowBackplaneExceptions = false,
        };
        if (distributed is not null)
        {
            _entryOptions.Duration = distributed.Duration;
            _entryOptions.MemoryCacheDuration = cacheOptions.MemoryDuration;
            _entryOptions.DistributedCacheSoftTimeout = distributed.HardTimeout;
            _entryOptions.DistributedCacheHardTimeout = distributed.HardTimeout;

            // Awaited, so a stored proof is in the L2 before the client hears "created" (any instance then finds
            // it). A store's backplane message goes out in the background: it only tidies other instances' L1,
            // and a frozen Redis must not hold the request for the client's timeout a second time.
            _entryOptions.AllowBackgroundDistributedCacheOperations = false;
            _entryOptions.AllowBackgroundBackplaneOperations = true;
        }

        // A delete waits for its backplane message to reach Redis, so other instances hear of it as soon as
        // possible; deletes are rare, and a frozen Redis costs at most the client timeout per breaker period.
        _removeOptions = _entryOptions.Duplicate();
        _removeOptions.AllowBackgroundBackplaneOperations = false;

        _memoryOnlyOptions = _entryOptions.Duplicate();
        _memoryOnlyOptions.SkipDistributedCacheRead = true;
        _memoryOnlyOptions.SkipDistributedCacheWrite = true;
        _memoryOnlyOptions.SkipBackplaneNotifications = true;

        _cache = new FusionCache(new FusionCacheOptions
        {
            CacheName = "proofs",
            DefaultEntryOptions = _entryOptions,
            DisableTagging = true,
            EnableSyncEventHandlersExecution = true,
            WaitForInitialBackplaneSubscribe = false,
            EnableAutoRecovery = true,
            // Keys are already prefixed in the L2 (KeyPrefix); the L1 is private to this cache.
            MissingCacheKeyPrefixWarningLogLevel = LogLevel.Debug,
            BackplaneChannelPrefix = distributed is null ? null : distributed.KeyPrefix + "proofs",
            DistributedCacheCircuitBreakerDuration = distributed?.CircuitBreakerDuration ?? TimeSpan.Zero,
            BackplaneCircuitBreakerDuration = distributed?.CircuitBreakerDuration ?? TimeSpan.Zero,
        }, _memory, loggers.CreateLogger<FusionCache>());
        // An entry leaving L1 (evicted, expired, replaced, removed, or refused for size) gives back the cache's
        // reference to its bytes: they are freed now unless a caller still holds a document over them.
        _cache.Events.Memory.Eviction += (_, e) =>
        {
            Interlocked.Increment(ref _evictions);
            (e.Value as ProofDocument)?.Dispose();
        };
        if (distributed is not null)
        {
            _cache.SetupDistributedCache(distributed.Cache, distributed.Serializer);
            if (distributed.Backplane is not null)
            {
                _cache.SetupBackplane(distributed.Backplane);
            }

            _cache.Events.Distributed.Hit += (_, _) => OnDistributedRead(hit: true);
            _cache.Events.Distributed.Miss += (_, _) => OnDistributedRead(hit: false);
            _cache.Events.Distributed.DeserializationError += (_, _) => Interlocked.Increment(ref _distributedErrors);
            _cache.Events.Distributed.CircuitBreakerChange += (_, e) =>
            {
                if (!e.IsClosed)
                {
                    Interlocked.Increment(ref _distributedErrors);
                }

                Log.DistributedLevelAvailability(_logger, distributed.Name, e.IsClosed ? "available again" : "unavailable: skipped until it answers");
            };
        }
    }

    public bool TryGet(string proofId, [NotNullWhen(true)] out ProofDocument? document)
    {
        // L1 only: the dedup check of a store must stay synchronous and cheap.
        if (TryShareFromMemory(proofId, out document))
        {
            CountMemory(hit: true);
            return true;
        }

        CountMemory(hit: false);
        return false;
    }

    public bool TryPeek(string proofId, [NotNullWhen(true)] out ProofDocument? document)
    {
        if (TryShareFromMemory(proofId, out document))
        {
            CountMemory(hit: true);
            return true;
        }

        return false;
    }

    /// <summary>The caller's own document over the L1 entry's bytes; false for a miss or an entry freed meanwhile.</summary>
    private bool TryShareFromMemory(string proofId, [NotNullWhen(true)] out ProofDocument? document)
    {
        var maybe = _cache.TryGet<ProofDocument?>(proofId, _memoryOnlyOptions);
        if (maybe.HasValue && maybe.Value is { } cached && cached.ProofId == proofId && cached.TryShare(out document))
        {
            return true;
        }

        document = null;
        return false;
    }

    public async Task<ProofDocument?> GetOrLoadAsync(string proofId, Func<string, CancellationToken, Task<ProofDocument?>> load,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);

        // L1 first, synchronously: a hit, the hot path of every cached read, skips the factory machinery (closure,
        // stampede lock lookup) and is counted exactly. A null value is a remembered "not found" (kept in L1 only
        // when there is no L2).
        var inMemory = _cache.TryGet<ProofDocument?>(proofId, _memoryOnlyOptions, cancellationToken);
        if (inMemory.HasValue && inMemory.Value is null)
        {
            CountMemory(hit: true);
            return null;
        }

        if (inMemory.HasValue && inMemory.Value is { } hit && hit.ProofId == proofId && hit.TryShare(out var own))
        {
            CountMemory(hit: true);
            return own;
        }

        // Past L1, FusionCache coalesces concurrent callers, then asks L2, then loads. A caller that waited for
        // another's load is served from L1 (a hit); one that ran the load or was answered by L2 missed it.
        var outcome = new LookupOutcome();
        if (_distributed is not null)
        {
            CurrentLookup.Value = outcome;
        }

        var document = await _cache.GetOrSetAsync<ProofDocument?>(proofId, async (context, token) =>
        {
            outcome.Loaded = true;
            var loaded = await load(proofId, token).ConfigureAwait(false);
            if (loaded is null)
            {
                RememberNotFound(context.Options);
            }
            else
            {
                context.Options.Size = loaded.CacheSize;

                // The loader's own document, taken before the cache holds (and may at once evict) the loaded one.
                loaded.TryShare(out outcome.Own);
            }

            return loaded;
        }, default, _entryOptions, cancellationToken).ConfigureAwait(false);
        CountLookup(outcome, document);

        if (document is null && outcome.ServedByL2)
        {
            // A remembered "not found" from L2: FusionCache copied it into L1 too, where a store on another instance
            // could only clear it with a backplane message, later. Negatives stay in L2, which that store overwrites.
            await _cache.RemoveAsync(proofId, _memoryOnlyOptions, cancellationToken).ConfigureAwait(false);
        }

        if (document is not null && document.ProofId != proofId)
        {
            // A shared level returned another proof's (authentic) entry under this id: never serve it.
            Log.CacheEntryMismatch(_logger, proofId);
            outcome.Own?.Dispose();
            await _cache.RemoveAsync(proofId, _entryOptions, cancellationToken).ConfigureAwait(false);
            return await load(proofId, cancellationToken).ConfigureAwait(false);
        }

        if (document is null || outcome.Own is not null)
        {
            return outcome.Own;
        }

        // Served by another caller's load or by L2: share the cache's document, unless it was evicted (and freed) in
        // the meantime, in which case this caller reads the proof itself, outside the cache.
        return document.TryShare(out var shared) ? shared : await load(proofId, cancellationToken).ConfigureAwait(false);
    }

    public async Task SetAsync(ProofDocument document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (!document.TryShare(out var cached))
        {
            throw new ObjectDisposedException(nameof(ProofDocument), "A disposed document cannot be cached.");
        }

        var entry = _entryOptions.Duplicate();
        entry.Size = cached.CacheSize;
        // Over a negative entry in L2, if there is one: it lives under the same key, so nothing else is sent.
        await _cache.SetAsync<ProofDocument?>(cached.ProofId, cached, entry, cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(string proofId, CancellationToken cancellationToken) =>
        await _cache.RemoveAsync(proofId, _removeOptions, cancellationToken).ConfigureAwait(false);

    public CacheSnapshot Snapshot()
    {
        var stats = _memory.GetCurrentStatistics();
        var memoryHits = Volatile.Read(ref _memoryHits);
        var memoryMisses = Volatile.Read(ref _memoryMisses);
        var distributedHits = Volatile.Read(ref _distributedHits);
        var levels = new List<CacheLevelSnapshot>
        {
            new("memory", memoryHits, memoryMisses, Rate(memoryHits, memoryHits + memoryMisses),
                stats?.CurrentEntryCount ?? 0, stats?.CurrentEstimatedSize ?? 0, Volatile.Read(ref _evictions), _limitBytes)
            {
                NativeBytes = Buffers.NativeBuffer.LiveBytes,
            },
        };
        if (_distributed is { } level)
        {
            var status = level.Status?.Invoke();
            var misses = Volatile.Read(ref _distributedMisses);
            var serializer = level.Serializer as ProofDocumentCacheSerializer;
            levels.Add(new CacheLevelSnapshot(level.Name, distributedHits, misses, Rate(distributedHits, distributedHits + misses),
                status?.Entries ?? 0, status?.Bytes ?? 0, status?.Evictions ?? 0, status?.LimitBytes)
            {
                Connected = status?.Connected,
                Errors = Volatile.Read(ref _distributedErrors),
                BytesWritten = serializer?.BytesWritten,
                BytesRead = serializer?.BytesRead,
                NegativeHits = Volatile.Read(ref _negativeHits),
            });
        }

        return new CacheSnapshot(levels);
    }

    public void Dispose()
    {
        // Every entry's bytes go back (through the eviction handler) before the cache goes away.
        _memory.Clear();
        _cache.Dispose();
        _memory.Dispose();
    }

    private static double Rate(long hits, long total) => total == 0 ? 0 : Math.Round((double)hits / total, 4);

    /// <summary>How a "not found" is remembered, set on the lookup's own entry options from inside its load.</summary>
    private void RememberNotFound(FusionCacheEntryOptions options)
    {
        // Other instances have nothing to evict: no backplane message for a negative entry, wherever it is kept.
        options.SkipBackplaneNotifications = true;
        if (_negativeDuration <= TimeSpan.Zero)
        {
            options.SkipMemoryCacheWrite = true;
            options.SkipDistributedCacheWrite = true;
        }
        else if (_distributed is not null)
        {
            // L2 only, under the proof's own key, so the proof's L2 write on any instance replaces it.
            options.SkipMemoryCacheWrite = true;
            options.Duration = _negativeDuration;
        }
        else
        {
            // L1 only (no shared level): this instance's own stores replace the entry.
            options.Duration = _negativeDuration;
        }
    }

    private void CountMemory(bool hit)
    {
        Interlocked.Increment(ref hit ? ref _memoryHits : ref _memoryMisses);
        _metrics?.CacheLookup(CacheLevel.L1, hit);
    }

    /// <summary>
    /// An L2 read, reported by FusionCache inline in the lookup's flow. It is counted once the lookup knows what the
    /// read returned: an entry without a proof is a negative hit, not a proof served from L2.
    /// </summary>
    private void OnDistributedRead(bool hit)
    {
        if (CurrentLookup.Value is { } outcome)
        {
            outcome.ServedByL2 |= hit;
            outcome.MissedL2 |= !hit;
            return;
        }

        CountDistributed(hit);
    }

    private void CountLookup(LookupOutcome outcome, ProofDocument? document)
    {
        if (outcome.ServedByL2 && document is null)
        {
            Interlocked.Increment(ref _negativeHits);
            CountDistributed(hit: false);
        }
        else if (outcome.ServedByL2 || outcome.MissedL2)
        {
            CountDistributed(outcome.ServedByL2);
        }

        CountMemory(hit: !outcome.Loaded && !outcome.ServedByL2);
    }

    private void CountDistributed(bool hit)
    {
        Interlocked.Increment(ref hit ? ref _distributedHits : ref _distributedMisses);
        _metrics?.CacheLookup(CacheLevel.L2, hit);
    }

    /// <summary>What happened to one lookup past L1 (written by the load and by the L2 events, read after).</summary>
    private sealed class LookupOutcome
    {
        /// <summary>The document the load gave this caller (its own reference to the bytes).</summary>
        public ProofDocument? Own;

        public bool Loaded { get; set; }

        public bool ServedByL2 { get; set; }

        public bool MissedL2 { get; set; }
    }
}
