using System.ComponentModel.DataAnnotations;

namespace ProofStorage.Api;

/// <summary>
/// Limits of the HTTP API; each violation is answered with a ProblemDetails.
/// <code>
/// "ProofStorage": { "Api": { "MaxRequestBodyBytes": 10485760, "MaxQueryBodyBytes": 1048576, "MaxBatchItems": 100, "MaxLookupIds": 100,
///   "MaxMetadataEntries": 32, "MaxMetadataKeyLength": 64, "MaxMetadataValueLength": 1024, "BatchParallelism": 8 } }
/// </code>
/// </summary>
public sealed class ApiOptions
{
    public const string SectionName = "ProofStorage:Api";

    [Range(1024, 512 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Largest body of a request that asks or links rather than stores (lookup, the C2PA binding query, associating a
    /// manifest): such a body is parsed into a document, which holds several times its size, and a valid one is a few
    /// KB. The smaller of this and <see cref="MaxRequestBodyBytes"/> applies.
    /// </summary>
    [Range(1024, 512 * 1024 * 1024)]
    public int MaxQueryBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The body limit of a request parsed into a document (<see cref="MaxQueryBodyBytes"/>, within <see cref="MaxRequestBodyBytes"/>).</summary>
    public int QueryBodyLimit => Math.Min(MaxQueryBodyBytes, MaxRequestBodyBytes);

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
