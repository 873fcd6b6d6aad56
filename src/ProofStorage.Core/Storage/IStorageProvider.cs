namespace ProofStorage.Core.Storage;

/// <summary>
/// The small contract every storage backend implements (filesystem, S3, R2, a failover pair of them).
/// Objects are opaque byte arrays under keys made of <c>/</c>-separated segments of <c>[A-Za-z0-9._-]</c>.
/// </summary>
/// <remarks>
/// <para>Implementations are thread-safe singletons.</para>
/// <para>A miss is not an error: <see cref="GetAsync"/> returns <see langword="null"/> and
/// <see cref="DeleteAsync"/> returns <see langword="false"/>.</para>
/// <para>A backend that cannot be reached, times out or refuses the request throws
/// <see cref="StorageUnavailableException"/>; nothing was written in that case unless the method says so.
/// Content that fails a checksum check throws <see cref="ProofIntegrityException"/>.</para>
/// </remarks>
public interface IStorageProvider
{
    /// <summary>The configured name, used in logs, stats and health reports.</summary>
    string Name { get; }

    /// <summary>Reads a whole object, or <see langword="null"/> when the key does not exist.</summary>
    Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically creates the object unless the key already exists. Returns <see langword="true"/> when this
    /// call created it and <see langword="false"/> when an object was already there (which then wins, untouched).
    /// Concurrent callers for one key see exactly one <see langword="true"/>. The object is durable when the
    /// call returns <see langword="true"/>; a failure leaves no partial object visible.
    /// </summary>
    Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken);

    /// <summary>Writes the object unconditionally (used to repair or replicate a copy). Atomic: readers see the old or the new bytes.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken);

    /// <summary>Deletes the object. Returns <see langword="false"/> when it did not exist.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes an object the caller has just read, so it already knows the object was there: nothing is asked first, and
    /// an object already gone is no error. A backend whose delete cannot tell whether the object existed (S3 answers
    /// 204 either way) spends a request on <see cref="DeleteAsync"/> to find out; this skips it. By default the same as
    /// <see cref="DeleteAsync"/>. A decorator forwards it as it is.
    /// </summary>
    Task RemoveAsync(string key, CancellationToken cancellationToken) => DeleteAsync(key, cancellationToken);

    /// <summary>Lists the keys that start with <paramref name="prefix"/> (a whole segment path such as <c>proofs/</c>).</summary>
    IAsyncEnumerable<string> ListKeysAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// Checks that the backend answers; never throws. Called by every readiness probe, so it must be cheap: a provider
    /// whose probe costs a billed request may answer from a result a few seconds old.
    /// </summary>
    Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>
    /// An optional capability of this provider (for example <see cref="IPresignedUrlProvider"/>), or
    /// <see langword="null"/> when it has none of that kind. Ask the store's provider, never test for a provider type:
    /// a decorator (instrumentation, chaos) answers for itself and then forwards to what it wraps, and a composite
    /// (the failover pair) answers for itself and then forwards to its primary, the copy every write reaches first.
    /// </summary>
    /// <remarks>
    /// A new optional ability is a new small interface: a provider implements it, every decorator finds it unchanged.
    /// A composite that must be seen through (to reach each copy, say) implements its own capability and answers it
    /// before forwarding.
    /// </remarks>
    T? GetCapability<T>()
        where T : class => this as T;
}

/// <summary>A whole object as read from a provider.</summary>
/// <param name="Content">The bytes exactly as stored.</param>
/// <param name="Metadata">What the provider keeps beside the bytes (may be empty).</param>
public sealed record StoredObject(ReadOnlyMemory<byte> Content, ObjectMetadata Metadata);

/// <summary>Small metadata kept beside an object (for example its SHA-256), when the backend can keep any.</summary>
public sealed record ObjectMetadata(string? Sha256)
{
    /// <summary>No metadata.</summary>
    public static ObjectMetadata None { get; } = new((string?)null);
}

/// <summary>The outcome of a provider health probe.</summary>
/// <param name="IsHealthy">The provider can serve: a backend answered (for a composite, at least one member).</param>
/// <param name="Description">What was found, for operators (no secrets, no addresses).</param>
/// <param name="Duration">How long the probe took.</param>
public sealed record ProviderHealth(bool IsHealthy, string Description, TimeSpan Duration)
{
    private static readonly IReadOnlyDictionary<string, object> NoData = new Dictionary<string, object>();

    /// <summary>The members of a composite provider (a failover pair), each with its own health; empty for one backend.</summary>
    public IReadOnlyList<MemberHealth> Members { get; init; } = [];

    /// <summary>Figures for the readiness report beyond the health itself (a pair's pending replications, a member's circuit).</summary>
    public IReadOnlyDictionary<string, object> Data { get; init; } = NoData;

    /// <summary>Serving, but some member is not (one side of a pair is down).</summary>
    public bool IsDegraded => IsHealthy && Members.Any(m => !m.Health.IsHealthy);
}

/// <summary>The health of one member of a composite provider.</summary>
/// <param name="Role">Its role in the composite (<c>primary</c>, <c>secondary</c>), the key it is reported under.</param>
/// <param name="Name">The member provider's name.</param>
/// <param name="Health">Its own probe.</param>
public sealed record MemberHealth(string Role, string Name, ProviderHealth Health);
