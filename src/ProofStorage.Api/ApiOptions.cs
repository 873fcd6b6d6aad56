using System.ComponentModel.DataAnnotations;

namespace ProofStorage.Api;

/// <summary>
/// Limits of the HTTP API; each violation is answered with a ProblemDetails.
/// <code>
/// "ProofStorage": { "Api": { "MaxRequestBodyBytes": 10485760, "MaxBatchItems": 100, "MaxLookupIds": 100,
///   "MaxMetadataEntries": 32, "MaxMetadataKeyLength": 64, "MaxMetadataValueLength": 1024, "BatchParallelism": 8 } }
/// </code>
/// </summary>
public sealed class ApiOptions
{
    public const string SectionName = "ProofStorage:Api";

    [Range(1024, 512 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    [Range(1, 10_000)]
    public int MaxBatchItems { get; set; } = 100;

    [Range(1, 10_000)]
    public int MaxLookupIds { get; set; } = 100;

    [Range(0, 1000)]
    public int MaxMetadataEntries { get; set; } = 32;

    [Range(1, 1024)]
    public int MaxMetadataKeyLength { get; set; } = 64;

    [Range(1, 65536)]
    public int MaxMetadataValueLength { get; set; } = 1024;

    [Range(1, 64)]
    public int BatchParallelism { get; set; } = 8;
}
