using System.Text.Json.Serialization;

namespace ProofStorage.Client;

/// <summary>A proof to store for an image.</summary>
public sealed class StoreProofRequest
{
    public StoreProofRequest(string imageHash, ProofContent proof)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageHash);
        ArgumentNullException.ThrowIfNull(proof);
        ImageHash = imageHash;
        Proof = proof;
    }

    /// <summary>SHA-256 of the image: 64 hexadecimal characters.</summary>
    public string ImageHash { get; }

    public ProofContent Proof { get; }

    /// <summary>Optional string metadata kept with the proof.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>What a store did.</summary>
public sealed record StoreProofResult
{
    public required string ProofId { get; init; }

    /// <summary>The image's SHA-256; null for a manifest store stored without one (named by its manifest id).</summary>
    public string? ImageHash { get; init; }

    /// <summary>A manifest store stored raw: its active manifest's id.</summary>
    public string? ManifestId { get; init; }

    /// <summary>When the proof was first stored.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// True when the image already had a proof: that one is returned and nothing was stored. (A store retried after its
    /// first attempt's answer was lost reports the proof that attempt created as deduplicated.)
    /// </summary>
    public required bool Deduplicated { get; init; }

    /// <summary>Size of the stored record as JSON.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>Size after compression and encryption.</summary>
    public required long StoredBytes { get; init; }

    /// <summary>The new proof's path (<c>Location</c>), when this store created it.</summary>
    [JsonIgnore]
    public Uri? Location { get; init; }
}

/// <summary>A stored proof record. <see cref="ProofJson"/> is the proof's JSON text exactly as stored.</summary>
public sealed class ProofRecord
{
    public required string ProofId { get; init; }

    /// <summary>The image's SHA-256; null for a manifest store stored without one.</summary>
    public string? ImageHash { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>A manifest store stored raw: its active manifest's id.</summary>
    public string? ManifestId { get; init; }

    /// <summary>A manifest store stored raw: the soft bindings it is found by.</summary>
    public IReadOnlyList<SoftBindingValue>? SoftBindings { get; init; }

    /// <summary>The proof document's media type, when one was given on store.</summary>
    public string? ProofMediaType { get; init; }

    /// <summary>
    /// The proof value's UTF-8 JSON text, byte for byte as stored (for a binary document, the JSON string of its base64;
    /// <see cref="IProofStorageClient.GetProofManifestAsync"/> serves its bytes). The record's <c>proof</c> member.
    /// </summary>
    [JsonPropertyName("proof")]
    public required ReadOnlyMemory<byte> ProofJson { get; init; }
}

/// <summary>How a read of a proof representation went.</summary>
public enum ProofReadStatus
{
    /// <summary>200: the representation (or, for HEAD, its headers).</summary>
    Ok,

    /// <summary>304: the <c>If-None-Match</c> tag matches; nothing was sent again.</summary>
    NotModified,

    /// <summary>404: no proof has this id (or the image has no proof).</summary>
    NotFound,
}

/// <summary>
/// The answer to a read of a proof representation: <see cref="Value"/> when <see cref="Status"/> is
/// <see cref="ProofReadStatus.Ok"/>, and the representation's caching headers unless not found.
/// </summary>
public sealed class ProofReadResult<T>
    where T : class
{
    internal ProofReadResult(ProofReadStatus status, T? value, string? etag, string? cacheControl, string? link)
    {
        Status = status;
        Value = value;
        ETag = etag;
        CacheControl = cacheControl;
        Link = link;
    }

    public ProofReadStatus Status { get; }

    public T? Value { get; }

    /// <summary>The strong ETag, to send as <c>If-None-Match</c> next time.</summary>
    public string? ETag { get; }

    public string? CacheControl { get; }

    /// <summary><c>&lt;…/manifest&gt;; rel="c2pa-manifest"</c>: where the proof document is.</summary>
    public string? Link { get; }
}

/// <summary>What a HEAD says about a representation.</summary>
public sealed class ProofHead
{
    public string? ContentType { get; init; }

    public long? ContentLength { get; init; }
}

/// <summary>
/// The proof document, streamed from the response: read <see cref="Content"/> once, then dispose this (which releases
/// the connection).
/// </summary>
public sealed class ProofManifest : IDisposable, IAsyncDisposable
{
    private readonly HttpResponseMessage _response;

    internal ProofManifest(HttpResponseMessage response, Stream content)
    {
        _response = response;
        Content = content;
        MediaType = response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
        ContentLength = response.Content.Headers.ContentLength;
    }

    /// <summary>The document's media type as served (<c>application/json</c>, <c>application/c2pa</c>, …).</summary>
    public string MediaType { get; }

    public long? ContentLength { get; }

    /// <summary>The document's bytes as they arrive.</summary>
    public Stream Content { get; }

    public void Dispose()
    {
        Content.Dispose();
        _response.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
    }
}

/// <summary>Where a proof can be fetched from.</summary>
public sealed class ProofUrl
{
    public required Uri Url { get; init; }

    /// <summary><c>cdn</c>, <c>service</c> or <c>presigned</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>When a presigned URL stops working.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>The outcome of one batch item: <c>201</c> created, <c>200</c> deduplicated, or an error with its problem type.</summary>
public sealed class BatchItemResult
{
    public required int Index { get; init; }

    public required int Status { get; init; }

    public string? ProofId { get; init; }

    public string? ImageHash { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public bool? Deduplicated { get; init; }

    public long? SizeBytes { get; init; }

    public long? StoredBytes { get; init; }

    /// <summary>The problem type URN of a failed item.</summary>
    public string? Type { get; init; }

    /// <summary>Why the item failed.</summary>
    public string? Error { get; init; }

    [JsonIgnore]
    public bool Succeeded => Status is 200 or 201;
}

/// <summary>The records found (in request order, proofs exact) and the ids not found.</summary>
public sealed class LookupResult
{
    public required IReadOnlyList<ProofRecord> Found { get; init; }

    public required IReadOnlyList<string> Missing { get; init; }
}

/// <summary>Counters of one service instance (<c>GET /v1/stats</c>).</summary>
public sealed class StorageStatistics
{
    public required CacheStatistics Cache { get; init; }

    public required DedupStatistics Dedup { get; init; }

    public required CompressionStatistics Compression { get; init; }

    public required IReadOnlyList<ProviderStatistics> Storage { get; init; }

    public required long IntegrityFailures { get; init; }

    /// <summary>The instance's scheduled scrub (<c>Enabled</c> false when it does not run one).</summary>
    public required ScrubStatistics Scrub { get; init; }
}

/// <summary>The scheduled scrub as one instance sees it.</summary>
public sealed class ScrubStatistics
{
    public required bool Enabled { get; init; }

    /// <summary>Whether this instance holds the scrub lease (only the holder scrubs).</summary>
    public required bool LeaseHeld { get; init; }

    /// <summary>The pass running now (<c>listing</c> or <c>deep</c>), if any.</summary>
    public string? Running { get; init; }

    public DateTimeOffset? RunningSince { get; init; }

    public required long Keys { get; init; }

    public required long ObjectsRead { get; init; }

    public required long PassesCompleted { get; init; }

    public required long Repaired { get; init; }

    public required long Unrecoverable { get; init; }

    public required long LastPassKeys { get; init; }

    public required long LastPassObjectsRead { get; init; }

    /// <summary>Keys with no good copy anywhere, found by the last passes.</summary>
    public required IReadOnlyList<string> UnrecoverableKeys { get; init; }

    public DateTimeOffset? LastCompletedAt { get; init; }
}

public sealed class CacheStatistics
{
    public required IReadOnlyList<CacheLevelStatistics> Levels { get; init; }
}

public sealed class CacheLevelStatistics
{
    public required string Level { get; init; }

    public required long Hits { get; init; }

    public required long Misses { get; init; }

    public required double HitRate { get; init; }

    public required long Entries { get; init; }

    public required long Bytes { get; init; }

    public required long Evictions { get; init; }

    public long? LimitBytes { get; init; }

    public bool? Connected { get; init; }

    public long? Errors { get; init; }
}

public sealed class DedupStatistics
{
    public required long Lookups { get; init; }

    public required long Hits { get; init; }

    public required long BytesSaved { get; init; }
}

public sealed class CompressionStatistics
{
    public required long BytesIn { get; init; }

    public required long BytesOut { get; init; }

    public required double Ratio { get; init; }
}

public sealed class ProviderStatistics
{
    public required string Name { get; init; }

    public required long Gets { get; init; }

    public required long Puts { get; init; }

    public required long Deletes { get; init; }

    public required long Lists { get; init; }

    public required long Errors { get; init; }

    public required double LatencyP50Ms { get; init; }

    public required double LatencyP99Ms { get; init; }
}

/// <summary>A health report (<c>/health/live</c>, <c>/health/ready</c>).</summary>
public sealed class HealthReport
{
    /// <summary><c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>.</summary>
    public required string Status { get; init; }

    public required double DurationMs { get; init; }

    public required IReadOnlyDictionary<string, HealthCheckResult> Checks { get; init; }
}

public sealed class HealthCheckResult
{
    public required string Status { get; init; }

    public string? Description { get; init; }
}
