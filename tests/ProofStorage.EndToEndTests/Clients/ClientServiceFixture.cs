using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Client;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests.Clients;

/// <summary>
/// One service process for a test class, with a second API key that may only read, and clients built the way a caller
/// builds them: <c>AddProofStorageClient</c> on a service collection.
/// </summary>
public class ClientServiceFixture : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];

    public ServiceProcess Service { get; private set; } = null!;

    /// <summary>A key with <c>proofs:read</c> only.</summary>
    public string ReaderKey { get; } = "psk_reader_" + Guid.NewGuid().ToString("N");

    /// <summary>Settings layered over <see cref="ServiceProcess"/>'s defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>(Settings)
        {
            ["ProofStorage__Auth__Keys__reader__Hash"] = TestKeys.ApiKeyHash(ReaderKey),
            ["ProofStorage__Auth__Keys__reader__Scopes__0"] = "proofs:read",
        };
        Service = await ServiceProcess.StartAsync(environment: settings);
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
    }

    /// <summary>A client with every scope (<paramref name="apiKey"/> "" for none); <paramref name="options"/> and <paramref name="builder"/> adjust the options and the HttpClient builder.</summary>
    public IProofStorageClient CreateClient(string? apiKey = null, Action<ProofStorageClientOptions>? options = null, Action<IHttpClientBuilder>? builder = null)
    {
        var services = new ServiceCollection();
        var http = services.AddProofStorageClient(o =>
        {
            o.BaseAddress = Service.BaseAddress;
            o.ApiKey = apiKey is null ? Service.ApiKey : apiKey.Length == 0 ? null : apiKey;
            options?.Invoke(o);
        });
        builder?.Invoke(http);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        lock (_providers)
        {
            _providers.Add(provider);
        }

        return provider.GetRequiredService<IProofStorageClient>();
    }
}
