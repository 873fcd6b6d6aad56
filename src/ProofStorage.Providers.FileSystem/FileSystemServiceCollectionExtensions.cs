using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Storage;

namespace ProofStorage.Providers.FileSystem;

public static class FileSystemServiceCollectionExtensions
{
    /// <summary>Registers the <c>FileSystem</c> provider type.</summary>
    public static IServiceCollection AddFileSystemStorageProvider(this IServiceCollection services)
    {
        services.AddSingleton<IStorageProviderFactory>(sp => new FileSystemStorageProviderFactory(sp));
        return services;
    }
}

internal sealed class FileSystemStorageProviderFactory(IServiceProvider services) : IStorageProviderFactory
{
    public string Type => "FileSystem";

    public IStorageProvider Create(string name, IConfigurationSection section)
    {
        var options = new FileSystemStorageOptions();
        section.Bind(options);
        options.Path = string.IsNullOrWhiteSpace(options.Path)
            ? System.IO.Path.Combine(StorageProviderBuilder.DataPath(services), "proofs")
            : StorageProviderBuilder.ResolvePath(services, options.Path);
        var provider = new FileSystemStorageProvider(name, options);
        services.GetService<ProofStorageMetrics>()?.ObserveFileSystem(name, provider.Root);
        return provider;
    }
}
