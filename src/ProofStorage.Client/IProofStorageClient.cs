namespace ProofStorage.Client;

/// <summary>
/// The ProofStorage API, typed. Registered by <c>AddProofStorageClient</c>; safe to use concurrently. Every call can be
/// cancelled. Answers the API models as results (a proof that does not exist is <see cref="ProofReadStatus.NotFound"/>,
/// <c>null</c> or <c>false</c>); any other error answer throws <see cref="ProofStorageException"/> with its ProblemDetails,
/// after the resilience handler has retried what may be retried. Transport failures surface as the resilience handler
/// reports them (<see cref="HttpRequestException"/>, Polly's <c>TimeoutRejectedException</c> or <c>BrokenCircuitException</c>).
/// </summary>
public interface IProofStorageClient
{
    /// <summary>Stores the proof of an image; <see cref="StoreProofResult.Deduplicated"/> when the image already had one.</summary>
    Task<StoreProofResult> StoreProofAsync(StoreProofRequest request, CancellationToken cancellationToken = default);

    /// <summary>Stores up to the service's batch limit of proofs; one result per item, in order (a failed item does not fail the others).</summary>
    Task<IReadOnlyList<BatchItemResult>> StoreProofBatchAsync(IReadOnlyList<StoreProofRequest> requests, CancellationToken cancellationToken = default);

    /// <summary>The record of a proof by id (native or legacy); <paramref name="ifNoneMatch"/> an ETag held, for a 304.</summary>
    Task<ProofReadResult<ProofRecord>> GetProofAsync(string proofId, string? ifNoneMatch = null, CancellationToken cancellationToken = default);

    /// <summary>The record of the proof of an image (its SHA-256, 64 hex characters).</summary>
    Task<ProofReadResult<ProofRecord>> GetProofByImageAsync(string imageHash, string? ifNoneMatch = null, CancellationToken cancellationToken = default);

    /// <summary>The record's headers (ETag, caching, Link) without its body.</summary>
    Task<ProofReadResult<ProofHead>> HeadProofAsync(string proofId, string? ifNoneMatch = null, CancellationToken cancellationToken = default);

    /// <summary>The headers of the record of an image's proof, without its body.</summary>
    Task<ProofReadResult<ProofHead>> HeadProofByImageAsync(string imageHash, string? ifNoneMatch = null, CancellationToken cancellationToken = default);

    /// <summary>The proof document's headers without its body.</summary>
    Task<ProofReadResult<ProofHead>> HeadProofManifestAsync(string proofId, string? ifNoneMatch = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The proof document itself (what a C2PA reader fetches), streamed: the response is not buffered, the caller reads
    /// <see cref="ProofManifest.Content"/> and disposes the <see cref="ProofManifest"/>.
    /// </summary>
    Task<ProofReadResult<ProofManifest>> GetProofManifestAsync(string proofId, string? ifNoneMatch = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a C2PA manifest store as its raw bytes (<c>application/c2pa</c>, no base64), with its image hash, metadata and
    /// soft bindings if any; the result names its <see cref="StoreProofResult.ManifestId"/>. A request from a stream is not retried.
    /// </summary>
    Task<StoreProofResult> StoreManifestStoreAsync(StoreManifestStoreRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// The manifest store whose active manifest is <paramref name="manifestId"/> (<c>GET /c2pa/v1/manifests/{manifestId}</c>),
    /// streamed like <see cref="GetProofManifestAsync"/>; <paramref name="returnActiveManifest"/> for a store of the active manifest only.
    /// </summary>
    Task<ProofReadResult<ProofManifest>> GetManifestAsync(string manifestId, bool returnActiveManifest = false, string? ifNoneMatch = null,
        CancellationToken cancellationToken = default);

    /// <summary>The manifest ids of the manifest stores carrying a soft binding value (the Soft Binding Resolution API's byBinding query).</summary>
    Task<IReadOnlyList<SoftBindingMatch>> FindManifestsByBindingAsync(SoftBindingValue binding, int? maxResults = null, CancellationToken cancellationToken = default);

    /// <summary>The soft binding algorithms the service resolves.</summary>
    Task<SupportedAlgorithms> GetSupportedAlgorithmsAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a manifest store through the Soft Binding API (<c>POST /c2pa/v1/manifests</c>); answers its manifest id.</summary>
    Task<string> AddManifestAsync(ReadOnlyMemory<byte> manifestStore, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a soft binding value (base64) the stored manifest store carries find it (<c>POST /c2pa/v1/bindings</c>); false when
    /// the manifest id is not stored or its store carries no such value.
    /// </summary>
    Task<bool> AddBindingAsync(string manifestId, string bindingValue, CancellationToken cancellationToken = default);

    /// <summary>Deletes the manifest store(s) whose active manifest is <paramref name="manifestId"/>, and their bindings; false when none is stored.</summary>
    Task<bool> DeleteManifestAsync(string manifestId, CancellationToken cancellationToken = default);

    /// <summary>A URL to fetch the proof from (CDN, this service or a presigned bucket URL); null when no proof has this id.</summary>
    Task<ProofUrl?> GetProofUrlAsync(string proofId, TimeSpan? expiresIn = null, CancellationToken cancellationToken = default);

    /// <summary>Many records by id in one call: those found (proofs exact) and the ids not found.</summary>
    Task<LookupResult> LookupProofsAsync(IReadOnlyCollection<string> proofIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a proof: true when this call deleted it, false when no proof had this id (also when a retried attempt
    /// finds that an earlier attempt of the same call deleted it).
    /// </summary>
    Task<bool> DeleteProofAsync(string proofId, CancellationToken cancellationToken = default);

    /// <summary>Cache, dedup, storage and compression counters (needs the <c>admin</c> scope).</summary>
    Task<StorageStatistics> GetStatsAsync(CancellationToken cancellationToken = default);

    /// <summary>Liveness: the process answers.</summary>
    Task<HealthReport> GetLivenessAsync(CancellationToken cancellationToken = default);

    /// <summary>Readiness: the report whether ready (<c>Healthy</c>/<c>Degraded</c>) or not (<c>Unhealthy</c>, HTTP 503).</summary>
    Task<HealthReport> GetReadinessAsync(CancellationToken cancellationToken = default);
}
