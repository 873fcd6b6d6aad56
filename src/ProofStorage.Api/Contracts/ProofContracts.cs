using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProofStorage.Api.Contracts;

/// <summary>A proof to store for an image.</summary>
public sealed class StoreProofRequest
{
    /// <summary>SHA-256 of the image: 64 hexadecimal characters.</summary>
    /// <example>9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08</example>
    public required string ImageHash { get; init; }

    /// <summary>The signed proof: any JSON value. Stored and returned byte-for-byte as sent.</summary>
    /// <example>{"claim":{"alg":"sha256","assertions":["c2pa.actions"]},"signature":"MEUCIQ..."}</example>
    public required JsonElement Proof { get; init; }

    /// <summary>
    /// Optional media type of the proof document, served by <c>GET /v1/proofs/{proofId}/manifest</c>. Absent,
    /// <c>application/json</c> or <c>…+json</c>: the proof is the document. Any other type (e.g. <c>application/c2pa</c>):
    /// the proof is a JSON string of the document's bytes in base64, and the manifest route serves the decoded bytes.
    /// </summary>
    /// <example>application/json</example>
    public string? ProofMediaType { get; init; }

    /// <summary>Optional string metadata (at most 32 entries by default).</summary>
    /// <example>{"source":"sign-service","camera":"X100V"}</example>
    public Dictionary<string, string>? Metadata { get; init; }
}

/// <summary>What a store did.</summary>
public sealed class StoreProofResponse
{
    /// <summary>Opaque, URL-safe id of the proof; the same image always gives the same id while its proof exists.</summary>
    /// <example>q5mT0W1dN3f8S0aB7kLx2Q</example>
    public required string ProofId { get; init; }

    /// <summary>The image's SHA-256; absent for a C2PA manifest store stored without one (it is named by its manifest id).</summary>
    /// <example>9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08</example>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public required string? ImageHash { get; init; }

    /// <summary>
    /// For a C2PA manifest store (stored as <c>application/c2pa</c>): its active manifest's id, which
    /// <c>GET /c2pa/v1/manifests/{manifestId}</c> resolves. Absent for a JSON proof.
    /// </summary>
    /// <example>urn:c2pa:5f1c8e2a-3b7d-4c9e-9a1f-2d6b8e4c7a10</example>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ManifestId { get; init; }

    /// <summary>When the proof was first stored (UTC).</summary>
    /// <example>2026-11-28T10:00:00.000Z</example>
    public required string CreatedAt { get; init; }

    /// <summary>True when a proof for this image already existed: it is returned and nothing new was stored.</summary>
    /// <example>false</example>
    public required bool Deduplicated { get; init; }

    /// <summary>Size of the stored record (uncompressed): the JSON record, or the binary record around a manifest store's raw bytes.</summary>
    /// <example>4096</example>
    public required long SizeBytes { get; init; }

    /// <summary>Size after compression and encryption, as kept by the storage provider.</summary>
    /// <example>1210</example>
    public required long StoredBytes { get; init; }
}

/// <summary>A stored proof record, as returned by the GET endpoints.</summary>
public sealed class ProofRecordResponse
{
    /// <example>q5mT0W1dN3f8S0aB7kLx2Q</example>
    public required string ProofId { get; init; }

    /// <summary>Absent for a C2PA manifest store stored without an image hash.</summary>
    /// <example>9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08</example>
    public string? ImageHash { get; init; }

    /// <example>2026-11-28T10:00:00.000Z</example>
    public required string CreatedAt { get; init; }

    /// <example>{"source":"sign-service"}</example>
    public required Dictionary<string, string> Metadata { get; init; }

    /// <summary>Present only when the proof was stored with one (always <c>application/c2pa</c> for a manifest store stored raw).</summary>
    public string? ProofMediaType { get; init; }

    /// <summary>A manifest store stored raw: its active manifest's id.</summary>
    /// <example>urn:c2pa:5f1c8e2a-3b7d-4c9e-9a1f-2d6b8e4c7a10</example>
    public string? ManifestId { get; init; }

    /// <summary>A manifest store stored raw: the soft bindings it is found by (given with it, and declared by its active manifest).</summary>
    public IReadOnlyList<SoftBindingContract>? SoftBindings { get; init; }

    /// <summary>The proof exactly as it was sent (a manifest store stored raw: its bytes in base64; its raw bytes are at <c>/manifest</c>).</summary>
    /// <example>{"claim":{"alg":"sha256","assertions":["c2pa.actions"]},"signature":"MEUCIQ..."}</example>
    public required JsonElement Proof { get; init; }
}

/// <summary>Where a proof can be fetched from.</summary>
public sealed class ProofUrlResponse
{
    /// <summary>The URL.</summary>
    /// <example>https://proofs.example.com/v1/proofs/q5mT0W1dN3f8S0aB7kLx2Q</example>
    public required string Url { get; init; }

    /// <summary>
    /// <c>cdn</c>: the record under the configured public base URL; <c>service</c>: the record on this service;
    /// <c>presigned</c>: the stored, encrypted envelope straight from the bucket, until <see cref="ExpiresAt"/>.
    /// </summary>
    /// <example>cdn</example>
    public required string Kind { get; init; }

    /// <summary>When a presigned URL stops working (UTC); absent for URLs that do not expire.</summary>
    /// <example>2026-11-28T10:15:00.000Z</example>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ExpiresAt { get; init; }
}

/// <summary>Up to <c>MaxBatchItems</c> store requests, processed independently.</summary>
public sealed class BatchStoreRequest
{
    public required IReadOnlyList<StoreProofRequest> Items { get; init; }
}

/// <summary>One result per request item, in order.</summary>
public sealed class BatchStoreResponse
{
    public required IReadOnlyList<BatchItemResult> Results { get; init; }
}

/// <summary>The outcome of one batch item: <c>201</c> created, <c>200</c> deduplicated, or an error status with a reason.</summary>
public sealed class BatchItemResult
{
    /// <example>0</example>
    public required int Index { get; init; }

    /// <example>201</example>
    public required int Status { get; init; }

    public string? ProofId { get; init; }

    public string? ImageHash { get; init; }

    public string? CreatedAt { get; init; }

    public bool? Deduplicated { get; init; }

    public long? SizeBytes { get; init; }

    public long? StoredBytes { get; init; }

    /// <summary>The problem type of the failure, as in the API's ProblemDetails (absent on success).</summary>
    /// <example>urn:proofstorage:problem:validation</example>
    public string? Type { get; init; }

    /// <summary>Why the item failed (absent on success).</summary>
    public string? Error { get; init; }
}

/// <summary>Ids to fetch in one call.</summary>
public sealed class LookupRequest
{
    /// <example>["q5mT0W1dN3f8S0aB7kLx2Q"]</example>
    public required IReadOnlyList<string> ProofIds { get; init; }
}

/// <summary>The records found (in request order) and the ids that were not found.</summary>
public sealed class LookupResponse
{
    public required IReadOnlyList<ProofRecordResponse> Found { get; init; }

    public required IReadOnlyList<string> Missing { get; init; }
}

/// <summary>A soft binding: an algorithm from the C2PA soft binding algorithm list and its value in base64.</summary>
public sealed class SoftBindingContract
{
    /// <example>com.digimarc.validate.1</example>
    public required string Alg { get; init; }

    /// <example>AAECAwQFBgc=</example>
    public required string Value { get; init; }
}
