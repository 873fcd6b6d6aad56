using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Storage;

namespace ProofStorage.Storage.Failover;

public static class FailoverServiceCollectionExtensions
{
    /// <summary>
    /// Makes <c>ProofStorage:Storage:Secondary</c>, when configured, a second copy of the primary: the store's
    /// <see cref="IStorageProvider"/> becomes a <see cref="FailoverStorageProvider"/> over both (tuned by
    /// <see cref="FailoverOptions"/>, replication log under <c>{DataPath}/replication</c>) and a background service drains
    /// its log. Without that section the store is the primary alone, as without this call. Call it after
    /// <c>AddProofStorageCore</c>: it replaces the store's provider registration.
    /// </summary>
    public static IServiceCollection AddFailoverStorage(this IServiceCollection services)
    {
        services.AddOptions<FailoverOptions>().BindConfiguration(FailoverOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var pair = new FailoverStorageProvider(
                HasSecondary(sp) ? StorageProviderBuilder.Build(sp, StorageProviderBuilder.PrimarySlot)
                    : throw new InvalidOperationException($"No failover pair: {StorageProviderBuilder.SectionPath(StorageProviderBuilder.SecondarySlot)} is not configured."),
                StorageProviderBuilder.Build(sp, StorageProviderBuilder.SecondarySlot),
                new ReplicationLog(Path.Combine(StorageProviderBuilder.DataPath(sp), "replication")),
                sp.GetRequiredService<IOptions<FailoverOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<FailoverStorageProvider>>());
            pair.ObserveOn(sp.GetRequiredService<ProofStorageMetrics>());
            return pair;
        });
        services.Replace(ServiceDescriptor.Singleton<IStorageProvider>(sp =>
            HasSecondary(sp) ? sp.GetRequiredService<FailoverStorageProvider>() : StorageProviderBuilder.Build(sp, StorageProviderBuilder.PrimarySlot)));
        // The pair is resolved when the service starts, not when the host lists its services: that happens before the
        // start-up validation, which must report every bad section rather than the first one building the pair hits.
        services.AddHostedService(sp => new ReplicationService(() => HasSecondary(sp) ? sp.GetRequiredService<FailoverStorageProvider>() : null,
            sp.GetRequiredService<IOptions<FailoverOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ReplicationService>>()));
        return services;
    }

    private static bool HasSecondary(IServiceProvider services) =>
        StorageProviderBuilder.IsConfigured(services.GetRequiredService<IConfiguration>(), StorageProviderBuilder.SecondarySlot);
}
