using System.Diagnostics.CodeAnalysis;
using ProofStorage.Core.Model;

namespace ProofStorage.Core.Caching;

/// <summary>
/// The cache levels in front of the providers, keyed by proof id. Thread-safe. A cache never makes the service
/// less available: an optional level that fails behaves as a miss. Every document it returns is the caller's own
/// (see <see cref="ProofDocument"/>: dispose it when done); the cache keeps its own reference to what it holds.
/// </summary>
public interface IProofCache
{
    /// <summary>Returns the cached document without loading; a miss returns <see langword="false"/>.</summary>
    bool TryGet(string proofId, [NotNullWhen(true)] out ProofDocument? document);

    /// <summary>
    /// Returns the document if this instance's memory level holds it: the read fast path, answered before routing. A
    /// hit counts as a lookup and, with access tracking on, as a read of the proof; a miss counts nothing, because the
    /// caller goes on to <see cref="GetOrLoadAsync"/> (through the store, which counts it).
    /// </summary>
    bool TryPeek(string proofId, [NotNullWhen(true)] out ProofDocument? document);

    /// <summary>
    /// Returns the cached document or runs <paramref name="load"/> to fill it. Concurrent callers for one id
    /// share one load (stampede protection). A <see langword="null"/> load result (not found) is not cached
    /// beyond the configured negative-lookup duration. Exceptions from <paramref name="load"/> propagate.
    /// </summary>
    Task<ProofDocument?> GetOrLoadAsync(string proofId, Func<string, CancellationToken, Task<ProofDocument?>> load, CancellationToken cancellationToken);

    /// <summary>Caches a document just written (replacing any negative entry for its id); the caller keeps its own document.</summary>
    Task SetAsync(ProofDocument document, CancellationToken cancellationToken);

    /// <summary>Evicts an id from every level (and, with a backplane, from other instances).</summary>
    Task RemoveAsync(string proofId, CancellationToken cancellationToken);

    /// <summary>Current counters.</summary>
    CacheSnapshot Snapshot();
}

/// <summary>
/// Counters of one cache level. For a shared level (e.g. <c>redis</c>) <c>Entries</c>, <c>Bytes</c>,
/// <c>Evictions</c> and <c>LimitBytes</c> are the server's (sampled), the other figures this instance's.
/// </summary>
public sealed record CacheLevelSnapshot(string Level, long Hits, long Misses, double HitRate, long Entries, long Bytes, long Evictions, long? LimitBytes)
{
    /// <summary>
    /// The memory level: bytes of proof documents held outside the GC heap by this process now, cached or in flight
    /// (responses being written, stores being answered); see <see cref="Buffers.NativeBuffer"/>.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? NativeBytes { get; init; }

    /// <summary>Shared levels: whether this instance is connected to it now.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Connected { get; init; }

    /// <summary>Shared levels: failures seen (circuit breaker openings, rejected values).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? Errors { get; init; }

    /// <summary>Shared levels: bytes this instance wrote to it.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? BytesWritten { get; init; }

    /// <summary>Shared levels: bytes this instance read from it.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? BytesRead { get; init; }

    /// <summary>Shared levels: lookups answered "not found" by a remembered negative lookup (no provider read).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? NegativeHits { get; init; }
}

/// <summary>Counters of every cache level.</summary>
public sealed record CacheSnapshot(IReadOnlyList<CacheLevelSnapshot> Levels)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public CacheLevelSnapshot Memory => Levels[0];
}
