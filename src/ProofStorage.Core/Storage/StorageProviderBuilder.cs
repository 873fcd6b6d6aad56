using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Options;

namespace ProofStorage.Core.Storage;

/// <summary>
/// Builds the storage behind the <see cref="StorageManager"/> from <c>ProofStorage:Storage</c>:
/// <code>
/// "ProofStorage": { "Storage": { "Primary": { "Type": "FileSystem", "Path": "data/proofs" } } }
/// </code>
/// With no <c>Primary</c> section the embedded default is used: the filesystem under <c>{DataPath}/proofs</c>.
/// With a <c>Secondary</c> section too, the two form a <see cref="FailoverStorageProvider"/> (tuned by <see cref="FailoverOptions"/>).
/// </summary>
public static class StorageProviderBuilder
{
    public const string SectionName = "ProofStorage:Storage";

    /// <summary>The provider type used when none is configured.</summary>
    public const string DefaultType = "FileSystem";

    internal static IStorageProvider Build(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var statistics = services.GetRequiredService<StorageStatistics>();
        var primary = Create("primary", configuration.GetSection(SectionName + ":Primary"), services);
        var instrumentedPrimary = new InstrumentedStorageProvider(primary, statistics.ForProvider(primary.Name));
        var secondarySection = configuration.GetSection(SectionName + ":Secondary");
        if (!secondarySection.Exists())
        {
            return instrumentedPrimary;
        }

        // A pair: each member is instrumented on its own so /v1/stats shows both.
        var secondary = Create("secondary", secondarySection, services);
        var pair = new FailoverStorageProvider(instrumentedPrimary, new InstrumentedStorageProvider(secondary, statistics.ForProvider(secondary.Name)),
            new ReplicationLog(Path.Combine(DataPath(services), "replication")),
            services.GetRequiredService<IOptions<FailoverOptions>>().Value,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger<FailoverStorageProvider>());
        if (statistics.Metrics is { } metrics)
        {
            pair.ObserveOn(metrics);
        }

        return pair;
    }

    /// <summary>Creates one provider from a section with a <c>Type</c> key, using the registered factories.</summary>
    public static IStorageProvider Create(string name, IConfigurationSection section, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(services);
        var type = section["Type"] ?? DefaultType;
        var factories = services.GetServices<IStorageProviderFactory>().ToList();
        var factory = factories.FirstOrDefault(f => string.Equals(f.Type, type, StringComparison.OrdinalIgnoreCase))
            ?? throw new OptionsValidationException(section.Path, typeof(IStorageProvider),
                [$"{section.Path}:Type is '{type}', which is not a registered storage provider type (registered: {string.Join(", ", factories.Select(f => f.Type))})."]);
        return factory.Create(name, section);
    }

    /// <summary>Resolves a configured path against the content root (relative paths) for providers that use local disk.</summary>
    public static string ResolvePath(IServiceProvider services, string path)
    {
        var environment = services.GetService<IHostEnvironment>();
        return Path.GetFullPath(path, environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
    }

    /// <summary>The data folder (<c>ProofStorage:DataPath</c>) as an absolute path.</summary>
    public static string DataPath(IServiceProvider services) =>
        ResolvePath(services, services.GetRequiredService<IOptions<ProofStorageOptions>>().Value.DataPath);
}
