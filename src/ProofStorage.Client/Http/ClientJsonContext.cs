using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProofStorage.Client.Http;

/// <summary>The response bodies the client reads with System.Text.Json (source-generated; <c>required</c> members are enforced).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoreProofResult))]
[JsonSerializable(typeof(BatchStoreResponse))]
[JsonSerializable(typeof(ProofUrl))]
[JsonSerializable(typeof(StorageStatistics))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(LookupRequestBody))]
[JsonSerializable(typeof(SupportedAlgorithms))]
[JsonSerializable(typeof(SoftBindingQueryBody))]
[JsonSerializable(typeof(SoftBindingQueryRequestBody))]
[JsonSerializable(typeof(ManifestCreateBody))]
[JsonSerializable(typeof(BindingRequestBody))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;

internal sealed class BatchStoreResponse
{
    public required IReadOnlyList<BatchItemResult> Results { get; init; }
}

internal sealed class LookupRequestBody
{
    public required IReadOnlyList<string> ProofIds { get; init; }
}

/// <summary>A problem body as received; every member optional, so an answer from a proxy still reads.</summary>
internal sealed class ProblemBody
{
    public string? Type { get; init; }

    public string? Title { get; init; }

    public int? Status { get; init; }

    public string? Detail { get; init; }

    public string? Instance { get; init; }

    public string? TraceId { get; init; }

    public Dictionary<string, string[]>? Errors { get; init; }
}
