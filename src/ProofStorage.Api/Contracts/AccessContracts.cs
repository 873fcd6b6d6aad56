using System.Text.Json.Serialization;

namespace ProofStorage.Api.Contracts;

/// <summary>How often a proof was read and stored again, and when last (as of the last flush of every instance).</summary>
public sealed class ProofAccessResponse
{
    /// <example>q5mT0W1dN3f8S0aB7kLx2Q</example>
    public required string ProofId { get; init; }

    /// <summary>Times the proof was served (GET, HEAD, manifest, by-image, lookup, URL).</summary>
    /// <example>1523</example>
    public required long Reads { get; init; }

    /// <summary>Times its image was stored again and answered with this proof.</summary>
    /// <example>12</example>
    public required long Duplicates { get; init; }

    /// <summary>The latest read (UTC), absent when there was none.</summary>
    /// <example>2026-11-30T10:00:00.000Z</example>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastReadAt { get; init; }

    /// <summary>The latest duplicate store (UTC), absent when there was none.</summary>
    /// <example>2026-11-29T08:15:00.000Z</example>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastDuplicateAt { get; init; }
}
