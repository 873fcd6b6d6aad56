using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Access;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Options;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;

namespace ProofStorage.Caching.Redis;

public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Registers the optional Redis L2 and pub/sub backplane of the proof cache (<c>ProofStorage:Redis</c>), the store of
    /// access counts when access tracking is on (<see cref="RedisProofAccessStore"/>), and a
    /// readiness check that reports Redis as Degraded, never Unhealthy, when it is away. With
    /// <c>Enabled=false</c> (the default) nothing connects and the cache stays L1 only. Call before
    /// <c>AddProofStorageCore</c> or after: the cache resolves the level lazily.
    /// </summary>
    public static IServiceCollection AddRedisProofCache(this IServiceCollection services)
    {
        services.AddOptions<RedisProofCacheOptions>().BindConfiguration(RedisProofCacheOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisProofCacheOptions>, RedisProofCacheOptionsValidator>());
        services.TryAddSingleton<RedisConnection>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisConnection>());
        services.AddHostedService<ProofCacheActivator>();

        // A null level (Redis disabled) leaves the cache L1 only.
        services.TryAddSingleton(sp => CreateLevel(sp)!);

        // Access counts go to Redis when it is enabled; null (disabled) leaves them to the storage provider.
        services.TryAddSingleton<IProofAccessStore>(sp => CreateAccessStore(sp)!);
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", failureStatus: HealthStatus.Degraded, tags: ["ready"]);
        return services;
    }

    private static RedisProofAccessStore? CreateAccessStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisProofCacheOptions>>().Value;
        return options.Enabled
            ? new RedisProofAccessStore(services.GetRequiredService<RedisConnection>(), options.KeyPrefix,
                services.GetRequiredService<ILoggerFactory>().CreateLogger<RedisProofAccessStore>())
            : null;
    }

    private static DistributedProofCacheLevel? CreateLevel(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisProofCacheOptions>>().Value;
        if (!options.Enabled)
        {
            return null;
        }

        var connection = services.GetRequiredService<RedisConnection>();
        services.GetService<ProofStorageMetrics>()?.ObserveDistributedCache(() => connection.IsConnected);
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var cache = new RedisCache(Options.Create(new RedisCacheOptions
        {
            InstanceName = options.KeyPrefix,
            ConnectionMultiplexerFactory = connection.GetAsync,
        }));
        var backplane = new RedisBackplane(Options.Create(new RedisBackplaneOptions
        {
            ConnectionMultiplexerFactory = connection.GetAsync,
        }), loggers.CreateLogger<RedisBackplane>());
        var serializer = new ProofDocumentCacheSerializer(services.GetRequiredService<ProofEnvelopeCodec>(),
            services.GetRequiredService<IOptions<ProofStorageOptions>>().Value.MaxRecordBytes);
        return new DistributedProofCacheLevel("redis", cache, serializer, backplane)
        {
            KeyPrefix = options.KeyPrefix,
            Duration = options.Duration,
            HardTimeout = options.HardTimeout,
            CircuitBreakerDuration = options.CircuitBreakerDuration,
            Status = () => connection.Status,
        };
    }
}

/// <summary>
/// Builds the proof cache at start-up rather than on the first proof request, so this instance subscribes to
/// the backplane before it serves anything (otherwise an eviction sent before its first request is never seen,
/// and the entry it then caches can be stale). The subscription itself completes in the background.
/// </summary>
internal sealed class ProofCacheActivator(IServiceProvider services, IOptions<RedisProofCacheOptions> options) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            _ = services.GetRequiredService<IProofCache>();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Readiness of the optional L2: Degraded (still 200) when Redis is away, since the service works without it.</summary>
internal sealed class RedisHealthCheck(RedisConnection connection, IOptions<RedisProofCacheOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Redis L2 disabled"));
        }

        _ = connection.GetAsync();
        return Task.FromResult(connection.IsConnected
            ? HealthCheckResult.Healthy("Redis L2 connected")
            : HealthCheckResult.Degraded("Redis L2 unreachable: serving from L1 and storage; reconnecting in the background"));
    }
}
