using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Access;
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
    /// health check) over the primary provider. Provider types are added by their own <c>Add*StorageProvider</c> methods,
    /// a failover pair by <c>AddFailoverStorage</c>. Uses <c>TryAdd*</c> so tests can substitute any seam first.
    /// </summary>
    public static IServiceCollection AddProofStorageCore(this IServiceCollection services)
    {
        services.AddOptions<ProofStorageOptions>().BindConfiguration(ProofStorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EncryptionOptions>().BindConfiguration(EncryptionOptions.SectionName).ValidateOnStart();
        services.AddOptions<CacheOptions>().BindConfiguration(CacheOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EncryptionOptions>, EncryptionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());
        services.AddOptions<AccessTrackingOptions>().BindConfiguration(AccessTrackingOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccessTrackingOptions>, AccessTrackingOptionsValidator>());

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
        services.AddStorageProviderOptions<StorageProviderOptions, StorageProviderTypeValidator>();
        services.TryAddSingleton(StorageProviderBuilder.BuildPrimary);
        services.TryAddSingleton(sp => CreateAccessTracking(sp)!);
        services.TryAddSingleton<StorageManager>();
        services.AddHostedService<KeyRingInitializer>();
        services.AddHostedService<ProofAccessFlushService>();

        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// Access tracking when it is on (null, so nothing counts, when it is off): flushed to the store a caching project
    /// registers as <see cref="IProofAccessStore"/> (Redis) when there is one, otherwise to the storage provider.
    /// </summary>
    private static ProofAccessTracking? CreateAccessTracking(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<AccessTrackingOptions>>();
        if (!options.Value.Enabled)
        {
            return null;
        }

        var loggers = services.GetRequiredService<ILoggerFactory>();
        var store = services.GetService<IProofAccessStore>()
            ?? new ProviderAccessStore(services.GetRequiredService<IStorageProvider>(), services.GetRequiredService<ProofEnvelopeCodec>(),
                loggers.CreateLogger<ProviderAccessStore>());
        return new ProofAccessTracking(store, options, services.GetRequiredService<TimeProvider>(), loggers.CreateLogger<ProofAccessTracking>());
    }
}

/// <summary>
/// Readiness: the store's provider answers its probe. A composite's members are reported each under its role, with
/// the composite's own figures: one member down is Degraded (still serving), all down is Unhealthy.
/// </summary>
internal sealed class StorageHealthCheck(IStorageProvider storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = await storage.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object> { ["provider"] = storage.Name, ["durationMs"] = Milliseconds(health.Duration) };
        foreach (var (key, value) in health.Data)
        {
            data[key] = value;
        }

        foreach (var member in health.Members)
        {
            var entry = new Dictionary<string, object>
            {
                ["name"] = member.Name,
                ["status"] = member.Health.IsHealthy ? nameof(HealthStatus.Healthy) : nameof(HealthStatus.Unhealthy),
                ["description"] = member.Health.Description,
            };
            foreach (var (key, value) in member.Health.Data)
            {
                entry[key] = value;
            }

            entry["durationMs"] = Milliseconds(member.Health.Duration);
            data[member.Role] = entry;
        }

        return !health.IsHealthy ? HealthCheckResult.Unhealthy(health.Description, data: data)
            : health.IsDegraded ? HealthCheckResult.Degraded(health.Description, data: data)
            : HealthCheckResult.Healthy(health.Description, data);
    }

    private static double Milliseconds(TimeSpan duration) => Math.Round(duration.TotalMilliseconds, 1);
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
