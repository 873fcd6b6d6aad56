using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests;

/// <summary>
/// The real host (Program) over the real HTTP pipeline, with configuration swapped for a test: its own data
/// folder and keys. <see cref="Settings"/> and <see cref="ConfigureServices"/> customise it before the first request.
/// </summary>
public sealed class ProofStorageApiFactory : WebApplicationFactory<Program>
{
    public ProofStorageApiFactory(string? dataPath = null, string environment = "Testing")
    {
        DataPath = dataPath ?? Path.Combine(Path.GetTempPath(), "proofstorage-tests", Guid.NewGuid().ToString("N"));
        Environment = environment;
        Settings = new Dictionary<string, string?>(TestKeys.EncryptionSettings("k1"))
        {
            ["ProofStorage:DataPath"] = DataPath,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
    }

    /// <summary>The data folder (kept after dispose so a second host can reopen it).</summary>
    public string DataPath { get; }

    public string Environment { get; }

    /// <summary>Configuration entries layered over appsettings.json; a null value removes a key's effect.</summary>
    public Dictionary<string, string?> Settings { get; }

    /// <summary>Extra service registrations applied after the app's own (to swap a seam).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(Settings));
        if (ConfigureServices is { } configure)
        {
            builder.ConfigureTestServices(configure);
        }
    }
}
