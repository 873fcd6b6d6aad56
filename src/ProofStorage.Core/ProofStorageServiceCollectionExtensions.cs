using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Options;
using ProofStorage.Core.Storage;

namespace ProofStorage.Core;

public static class ProofStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the store (options, key ring, codec, L1 cache, statistics and the <c>ProofStorage</c> meter, <see cref="StorageManager"/>, storage
    /// health check). Providers are added by their own <c>Add*StorageProvider</c> methods. Uses <c>TryAdd*</c>
    /// so tests can substitute any seam first.
    /// </summary>
    public static IServiceCollection AddProofStorageCore(this IServiceCollection services)
    {
        services.AddOptions<ProofStorageOptions>().BindConfiguration(ProofStorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EncryptionOptions>().BindConfiguration(EncryptionOptions.SectionName).ValidateOnStart();
        services.AddOptions<CacheOptions>().BindConfiguration(CacheOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EncryptionOptions>, EncryptionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ProofStorageMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new StorageStatistics(sp.GetRequiredService<ProofStorageMetrics>()));
        services.TryAddSingleton(sp => KeyRingFactory.Create(
            sp.GetRequiredService<IOptions<EncryptionOptions>>(),
            sp.GetRequiredService<IOptions<ProofStorageOptions>>(),
            sp.GetRequiredService<IHostEnvironment>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("ProofStorage.Core.Codec")));
        services.TryAddSingleton(sp => new ProofEnvelopeCodec(sp.GetRequiredService<EncryptionKeyRing>()));
        services.TryAddSingleton<IProofCache, FusionProofCache>();
        services.TryAddSingleton(StorageProviderBuilder.Build);
        services.TryAddSingleton<StorageManager>();
        services.AddHostedService<KeyRingInitializer>();
        services.AddOptions<FailoverOptions>().BindConfiguration(FailoverOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<ReplicationService>();

        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        return services;
    }
}

/// <summary>Readiness: the storage answers a write/read probe.</summary>
internal sealed class StorageHealthCheck(IStorageProvider storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (storage is FailoverStorageProvider pair)
        {
            return await CheckPairAsync(pair, cancellationToken).ConfigureAwait(false);
        }

        var health = await storage.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object> { ["provider"] = storage.Name, ["durationMs"] = Math.Round(health.Duration.TotalMilliseconds, 1) };
        return health.IsHealthy
            ? HealthCheckResult.Healthy(health.Description, data)
            : HealthCheckResult.Unhealthy(health.Description, data: data);
    }

    /// <summary>Each member with its breaker state; one member down is Degraded (still serving), both down is Unhealthy.</summary>
    private static async Task<HealthCheckResult> CheckPairAsync(FailoverStorageProvider pair, CancellationToken cancellationToken)
    {
        var members = await pair.CheckMembersAsync(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object> { ["provider"] = pair.Name, ["pendingReplications"] = pair.PendingReplications };
        foreach (var member in members)
        {
            data[member.Role] = new Dictionary<string, object>
            {
                ["name"] = member.Name,
                ["status"] = member.Health.IsHealthy ? "Healthy" : "Unhealthy",
                ["description"] = member.Health.Description,
                ["circuit"] = member.Breaker,
                ["durationMs"] = Math.Round(member.Health.Duration.TotalMilliseconds, 1),
            };
        }

        var healthy = members.Count(m => m.Health.IsHealthy);
        var description = string.Join("; ", members.Select(m => $"{m.Role} {(m.Health.IsHealthy ? "healthy" : "unhealthy")}, circuit {m.Breaker}"));
        return healthy == members.Count ? HealthCheckResult.Healthy(description, data)
            : healthy > 0 ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Unhealthy(description, data: data);
    }
}

/// <summary>Builds the key ring at start-up, so a bad key stops the host and the development-key warning shows at once.</summary>
internal sealed class KeyRingInitializer(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<EncryptionKeyRing>();
        _ = services.GetRequiredService<IStorageProvider>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
