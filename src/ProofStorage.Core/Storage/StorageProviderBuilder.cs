using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Options;

namespace ProofStorage.Core.Storage;

/// <summary>
/// Builds providers from the storage slots of <c>ProofStorage:Storage</c>:
/// <code>
/// "ProofStorage": { "Storage": { "Primary": { "Type": "FileSystem", "Path": "data/proofs" }, "Secondary": { … } } }
/// </code>
/// With no <c>Primary</c> section the embedded default is used: the filesystem under <c>{DataPath}/proofs</c>. The store's
/// provider is the primary alone; a <c>Secondary</c> is used only by a composition registered for it (the failover pair,
/// <c>AddFailoverStorage</c>), which replaces the store's <see cref="IStorageProvider"/> registration.
/// </summary>
public static class StorageProviderBuilder
{
    public const string SectionName = "ProofStorage:Storage";

    /// <summary>The provider type used when none is configured.</summary>
    public const string DefaultType = "FileSystem";

    /// <summary>The slot of the store's own provider; always configured (by default, the filesystem).</summary>
    public const string PrimarySlot = "Primary";

    /// <summary>The slot of a second copy; configured only when its section exists.</summary>
    public const string SecondarySlot = "Secondary";

    /// <summary>Every slot a provider section can sit in; provider options are registered (and validated) for each.</summary>
    public static IReadOnlyList<string> Slots { get; } = [PrimarySlot, SecondarySlot];

    /// <summary>The configuration path of a slot (<c>ProofStorage:Storage:Primary</c>).</summary>
    public static string SectionPath(string slot) => $"{SectionName}:{slot}";

    /// <summary>True when <paramref name="slot"/> is in use: the primary always is, another slot when its section exists.</summary>
    public static bool IsConfigured(IConfiguration configuration, string slot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return slot == PrimarySlot || configuration.GetSection(SectionPath(slot)).Exists();
    }

    /// <summary>
    /// Registers a provider type's options for every slot: bound from the slot's section, checked at start-up by
    /// <typeparamref name="TValidator"/> (usually a <see cref="StorageProviderOptionsValidator{TOptions}"/>).
    /// </summary>
    public static IServiceCollection AddStorageProviderOptions<TOptions, TValidator>(this IServiceCollection services)
        where TOptions : StorageProviderOptions
        where TValidator : class, IValidateOptions<TOptions>
    {
        foreach (var slot in Slots)
        {
            services.AddOptions<TOptions>(slot).BindConfiguration(SectionPath(slot)).ValidateOnStart();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services;
    }

    /// <summary>
    /// Builds the provider configured in <paramref name="slot"/>, named after it in lower case (<c>primary</c>), with the
    /// registered factory of its <c>Type</c>, wrapped in the instrumentation that feeds <c>/v1/stats</c> and the meter.
    /// Reading the slot's options validates them: an unknown type throws <see cref="OptionsValidationException"/>
    /// with the registered types, as at start-up.
    /// </summary>
    public static IStorageProvider Build(IServiceProvider services, string slot)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptionsMonitor<StorageProviderOptions>>().Get(slot);
        var factory = services.GetServices<IStorageProviderFactory>().First(f => options.IsType(f.Type));
        var provider = factory.Create(slot.ToLowerInvariant(), slot);
        return new InstrumentedStorageProvider(provider, services.GetRequiredService<StorageStatistics>().ForProvider(provider.Name));
    }

    /// <summary>The store's provider when nothing composes the slots: the primary.</summary>
    internal static IStorageProvider BuildPrimary(IServiceProvider services)
    {
        if (IsConfigured(services.GetRequiredService<IConfiguration>(), SecondarySlot))
        {
            // Using the primary alone would silently leave the configured second copy unwritten.
            throw new InvalidOperationException(
                $"{SectionPath(SecondarySlot)} is configured, but this host registers nothing that uses it (the failover pair: AddFailoverStorage).");
        }

        return Build(services, PrimarySlot);
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
