using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Storage;

namespace ProofStorage.Providers.FileSystem;

public static class FileSystemServiceCollectionExtensions
{
    /// <summary>Registers the <c>FileSystem</c> provider type and its options (validated at start-up in every slot of that type).</summary>
    public static IServiceCollection AddFileSystemStorageProvider(this IServiceCollection services)
    {
        services.AddStorageProviderOptions<FileSystemStorageOptions, FileSystemStorageOptionsValidator>();
        services.AddSingleton<IStorageProviderFactory>(sp =>
            new FileSystemStorageProviderFactory(sp.GetRequiredService<IOptionsMonitor<FileSystemStorageOptions>>(), sp));
        return services;
    }
}

internal sealed class FileSystemStorageProviderFactory(IOptionsMonitor<FileSystemStorageOptions> options, IServiceProvider services) : IStorageProviderFactory
{
    public string Type => FileSystemStorageOptions.TypeName;

    public IStorageProvider Create(string name, string slot)
    {
        var configured = options.Get(slot);
        var path = string.IsNullOrWhiteSpace(configured.Path)
            ? Path.Combine(StorageProviderBuilder.DataPath(services), "proofs")
            : StorageProviderBuilder.ResolvePath(services, configured.Path);
        var provider = new FileSystemStorageProvider(name, new FileSystemStorageOptions { Path = path, FlushToDisk = configured.FlushToDisk });
        services.GetService<ProofStorageMetrics>()?.ObserveFileSystem(name, provider.Root);
        return provider;
    }
}

/// <summary>The rules of a <c>FileSystem</c> section beyond its keys.</summary>
internal sealed class FileSystemStorageOptionsValidator(IConfiguration configuration)
    : StorageProviderOptionsValidator<FileSystemStorageOptions>(configuration, FileSystemStorageOptions.TypeName)
{
    protected override IEnumerable<string> ValidateSettings(string path, FileSystemStorageOptions options)
    {
        if (options.Path.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            yield return $"{path}:Path contains a character no path may hold.";
        }
    }
}
