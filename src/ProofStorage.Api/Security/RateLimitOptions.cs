using System.ComponentModel.DataAnnotations;

namespace ProofStorage.Api.Security;

/// <summary>
/// Per-client rate limits (token buckets): per API key when one was presented and valid, else per client network (an IPv4 address, or an IPv6 /64).
/// Health probes are never limited. Exceeding a limit gives <c>429</c> with <c>Retry-After</c>.
/// <code>
/// "ProofStorage": { "RateLimit": { "Enabled": true, "KeyPermitsPerSecond": 500, "KeyBurst": 1000,
///   "AnonymousPermitsPerSecond": 100, "AnonymousBurst": 200 } }
/// </code>
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "ProofStorage:RateLimit";

    public bool Enabled { get; set; } = true;

    [Range(1, 1_000_000)]
    public int KeyPermitsPerSecond { get; set; } = 500;

    [Range(1, 1_000_000)]
    public int KeyBurst { get; set; } = 1000;

    [Range(1, 1_000_000)]
    public int AnonymousPermitsPerSecond { get; set; } = 100;

    [Range(1, 1_000_000)]
    public int AnonymousBurst { get; set; } = 200;
}
