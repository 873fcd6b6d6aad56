using Microsoft.Extensions.Options;

namespace ProofStorage.Caching.Redis;

/// <summary>
/// The optional Redis L2 and backplane of the proof cache. Off by default.
/// <code>
/// "ProofStorage": { "Redis": { "Enabled": true, "Configuration": "redis:6379", "KeyPrefix": "proofstorage:",
///   "Duration": "1.00:00:00", "ConnectTimeout": "00:00:00.300", "OperationTimeout": "00:00:00.300",
///   "HardTimeout": "00:00:00.500", "CircuitBreakerDuration": "00:00:02" } }
/// </code>
/// Redis must run with a <c>maxmemory</c> and an eviction policy (<c>allkeys-lru</c>): see docs/caching.md.
/// </summary>
public sealed class RedisProofCacheOptions
{
    public const string SectionName = "ProofStorage:Redis";

    /// <summary>Turns the L2 and backplane on. With it off nothing connects to Redis.</summary>
    public bool Enabled { get; set; }

    /// <summary>StackExchange.Redis configuration string (<c>host:port,password=…,ssl=true</c>). Treat as a secret.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key and of the backplane channel, so several services can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "proofstorage:";

    /// <summary>Time to live of a proof in Redis (absolute; <c>maxmemory</c> LRU may drop it sooner).</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Connect timeout. The connection is made in the background: start-up never waits for it.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Sync and async command timeout of the client.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Longest a request waits for Redis on any operation before going on without it.</summary>
    public TimeSpan HardTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>After a Redis error, Redis is skipped for this long (then tried again).</summary>
    public TimeSpan CircuitBreakerDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Delay between reconnect attempts while Redis is away.</summary>
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often server figures (memory, keys, evictions) are sampled for <c>/v1/stats</c>.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Cross-field rules with messages an operator can act on.</summary>
internal sealed class RedisProofCacheOptionsValidator : IValidateOptions<RedisProofCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisProofCacheOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            failures.Add($"{RedisProofCacheOptions.SectionName}:Configuration is required when Enabled is true (e.g. \"localhost:6379\").");
        }

        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            failures.Add($"{RedisProofCacheOptions.SectionName}:KeyPrefix must not be empty: it keeps this service's keys apart from others on the same Redis.");
        }

        foreach (var (key, value) in new[]
        {
            (nameof(options.Duration), options.Duration), (nameof(options.ConnectTimeout), options.ConnectTimeout),
            (nameof(options.OperationTimeout), options.OperationTimeout), (nameof(options.HardTimeout), options.HardTimeout),
            (nameof(options.CircuitBreakerDuration), options.CircuitBreakerDuration), (nameof(options.ReconnectInterval), options.ReconnectInterval),
            (nameof(options.StatusInterval), options.StatusInterval),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{RedisProofCacheOptions.SectionName}:{key} must be positive.");
            }
        }

        if (options.OperationTimeout > options.HardTimeout)
        {
            failures.Add($"{RedisProofCacheOptions.SectionName}:OperationTimeout ({options.OperationTimeout}) must not exceed HardTimeout ({options.HardTimeout}), or a frozen Redis holds requests for the whole HardTimeout.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
