using ProofStorage.Providers.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProofStorage.Core;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Storage;
using ProofStorage.Migrate.Console;
using ProofStorage.Providers.FileSystem;
using ProofStorage.Storage.Failover;

namespace ProofStorage.Migrate.Hosting;

/// <summary>
/// Builds a store exactly as the service does (same <c>Add*</c> registrations, same configuration keys), so the
/// target is whatever <c>ProofStorage:Storage:Primary</c> names and a provider source is one more such section.
/// </summary>
internal static class MigrationHost
{
    /// <summary>
    /// Configuration, lowest precedence first: <c>appsettings.json</c> and <c>appsettings.{Environment}.json</c> in
    /// the working folder, environment variables (<c>ProofStorage__…</c>), <paramref name="configFiles"/> in order,
    /// then <paramref name="settings"/> (<c>Key=Value</c>), then <paramref name="overlayFiles"/> (a source store's own file).
    /// Log lines go to <paramref name="logs"/> (default: stderr, see <see cref="CliLog"/>).
    /// </summary>
    /// <remarks>
    /// An overlay that describes storage (<c>ProofStorage:Storage</c>) replaces the target's storage section instead of
    /// merging into it: a source is its own store, and inheriting the target's provider keys would make a filesystem
    /// target's <c>Path</c> an unknown setting of an S3 source, or a target's secondary the source's. Every other
    /// section (encryption keys, data path) is still layered, so a source names only what differs.
    /// </remarks>
    public static IHost Build(IEnumerable<string> configFiles, IEnumerable<string> settings, IEnumerable<string> overlayFiles, LogLevel logLevel,
        ILoggerProvider? logs = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
        });
        var environment = builder.Environment.EnvironmentName;
        builder.Configuration
            .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
            .AddJsonFile($"appsettings.{environment}.json", optional: true, reloadOnChange: false)
            .AddEnvironmentVariables();
        foreach (var file in configFiles)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddInMemoryCollection(ParseSettings(settings));
        var overlays = overlayFiles.ToList();
        if (overlays.Count > 0)
        {
            LayerOverlays(builder.Configuration, overlays);
        }

        // Reads and stores made by a migration are not clients' accesses: access tracking stays off whatever the files say.
        builder.Configuration.AddInMemoryCollection([new("ProofStorage:AccessTracking:Enabled", "false")]);

        // Logs go to stderr so stdout keeps the progress and the summary (above the live bar while it runs, see
        // CliLog); per-proof Information events are noise here.
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddProvider(logs ?? new CliLog(System.Console.Error));

        // Registered first: Core uses TryAdd, so this replaces the L1 for the migration (see PassThroughProofCache).
        builder.Services.AddSingleton<IProofCache, PassThroughProofCache>();
        builder.Services.AddProofStorageCore();
        AddProviders(builder.Services);
        return builder.Build();
    }

    /// <summary>Every provider type the migration can read from or write to, and the failover pair: keep in step with the Api's registrations.</summary>
    private static void AddProviders(IServiceCollection services)
    {
        services.AddFileSystemStorageProvider();
        services.AddS3StorageProvider();
        services.AddFailoverStorage();
    }

    /// <summary>
    /// Adds the overlay files over what <paramref name="configuration"/> holds so far, dropping the target's
    /// <c>ProofStorage:Storage</c> keys first when an overlay has that section (configuration sources cannot remove a
    /// lower source's keys, so the layers so far are flattened without them).
    /// </summary>
    private static void LayerOverlays(ConfigurationManager configuration, IReadOnlyList<string> overlayFiles)
    {
        var overlay = new ConfigurationBuilder();
        foreach (var file in overlayFiles)
        {
            overlay.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        var source = overlay.Build();
        var storage = StorageProviderBuilder.SectionName;
        if (source.GetSection(storage).Exists())
        {
            var kept = configuration.AsEnumerable()
                .Where(pair => pair.Value is not null
                    && !pair.Key.Equals(storage, StringComparison.OrdinalIgnoreCase)
                    && !pair.Key.StartsWith(storage + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase))
                .ToList();
            configuration.Sources.Clear();
            configuration.AddInMemoryCollection(kept);
        }

        configuration.AddConfiguration(source);
    }

    private static Dictionary<string, string?> ParseSettings(IEnumerable<string> settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in settings)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--set expects Key=Value (e.g. ProofStorage:Storage:Primary:Type=FileSystem), not '{setting}'.");
            }

            values[setting[..equals].Trim()] = setting[(equals + 1)..];
        }

        return values;
    }
}
