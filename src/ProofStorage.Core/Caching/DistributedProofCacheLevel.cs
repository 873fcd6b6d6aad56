using Microsoft.Extensions.Caching.Distributed;
using ZiggyCreatures.Caching.Fusion.Backplane;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace ProofStorage.Core.Caching;

/// <summary>
/// An optional shared cache level (L2) and backplane for <see cref="IProofCache"/>, registered as a singleton by a
/// caching project (e.g. <c>ProofStorage.Caching.Redis</c>) so the Core references no cache client. Absent by
/// default: then the cache is L1 only.
/// </summary>
/// <remarks>
/// The level must fail fast: FusionCache turns its errors and timeouts into misses (and opens a circuit breaker),
/// but every call still waits up to <see cref="HardTimeout"/>, so the client's own timeouts should be shorter.
/// </remarks>
public sealed class DistributedProofCacheLevel
{
    public DistributedProofCacheLevel(string name, IDistributedCache cache, IFusionCacheSerializer serializer, IFusionCacheBackplane? backplane)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Cache = cache ?? throw new ArgumentNullException(nameof(cache));
        Serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        Backplane = backplane;
    }

    /// <summary>Level name in statistics, e.g. <c>redis</c>.</summary>
    public string Name { get; }

    public IDistributedCache Cache { get; }

    /// <summary>Turns cache entries into the bytes the level stores; for proofs, <see cref="ProofDocumentCacheSerializer"/>.</summary>
    public IFusionCacheSerializer Serializer { get; }

    /// <summary>Notifies other instances of sets and removals so their L1 drops the entry; optional.</summary>
    public IFusionCacheBackplane? Backplane { get; }

    /// <summary>Prefix of every key this level writes (isolates services sharing one server).</summary>
    public string KeyPrefix { get; init; } = "proofstorage:";

    /// <summary>Time to live of an entry in the level.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Longest wait for the level on any operation; after it the call goes on as if it missed.</summary>
    public TimeSpan HardTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>After an error the level is skipped for this long (circuit breaker), so a dead server costs nothing per request.</summary>
    public TimeSpan CircuitBreakerDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Server-side figures (bytes used, entries, evictions) sampled by the level, or null when unknown.</summary>
    public Func<DistributedLevelStatus?>? Status { get; init; }
}

/// <summary>What a distributed level reports about its server; figures are server-wide.</summary>
public sealed record DistributedLevelStatus(bool Connected, long Entries, long Bytes, long Evictions, long? LimitBytes);
