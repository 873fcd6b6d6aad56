using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ProofStorage.Maintenance.Scheduling;

namespace ProofStorage.Maintenance;

public static class MaintenanceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the scheduled scrub (<see cref="ScrubOptions"/>, section <c>ProofStorage:Scrub</c>, validated at start-up;
    /// off by default), its <see cref="ScrubStatus"/> (stats and <c>proofstorage.scrub.*</c> instruments) and a readiness
    /// check that is Degraded while unrecoverable objects are known. Call after <c>AddProofStorageCore</c>.
    /// </summary>
    public static IServiceCollection AddScheduledScrub(this IServiceCollection services)
    {
        services.AddOptions<ScrubOptions>().BindConfiguration(ScrubOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScrubOptions>, ScrubOptionsValidator>());
        services.TryAddSingleton(sp => new ScrubStatus(sp.GetService<IMeterFactory>()));
        services.AddHostedService<ScheduledScrubService>();
        services.AddHealthChecks().AddCheck<ScrubHealthCheck>("scrub", tags: ["ready"]);
        return services;
    }
}
