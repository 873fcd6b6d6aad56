using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProofStorage.Api;

namespace ProofStorage.Testing;

/// <summary>
/// The real host (Program) over the real HTTP pipeline, with configuration swapped for a test: its own data
/// folder and keys. <see cref="Settings"/> and <see cref="ConfigureServices"/> customise it before the first request.
/// </summary>
public sealed class ProofStorageApiFactory : WebApplicationFactory<Program>
{
    public ProofStorageApiFactory(string? dataPath = null, string environment = "Testing")
    {
        DataPath = dataPath ?? TestFolders.New("tests");
        Environment = environment;
        Settings = new Dictionary<string, string?>(TestKeys.EncryptionSettings("k1"))
        {
            ["ProofStorage:DataPath"] = DataPath,
            ["Serilog:MinimumLevel:Default"] = "Warning",
            // One key with every scope, sent by CreateClient(); rate limits off unless a test turns them on.
            ["ProofStorage:Auth:Keys:test:Hash"] = TestKeys.ApiKeyHash(ApiKey),
            ["ProofStorage:Auth:Keys:test:Scopes:0"] = "proofs:read",
            ["ProofStorage:Auth:Keys:test:Scopes:1"] = "proofs:write",
            ["ProofStorage:Auth:Keys:test:Scopes:2"] = "proofs:delete",
            ["ProofStorage:Auth:Keys:test:Scopes:3"] = "admin",
            ["ProofStorage:RateLimit:Enabled"] = "false",
        };
    }

    /// <summary>The API key (all scopes) every client from <see cref="WebApplicationFactory{T}.CreateClient()"/> sends.</summary>
    public const string ApiKey = "psk_test-key-with-every-scope-0123456789";

    /// <summary>The data folder (kept after dispose so a second host can reopen it).</summary>
    public string DataPath { get; }

    public string Environment { get; }

    /// <summary>Configuration entries layered over appsettings.json; a null value removes a key's effect.</summary>
    public Dictionary<string, string?> Settings { get; }

    /// <summary>Extra service registrations applied after the app's own (to swap a seam).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>A client that sends no API key.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        return client;
    }

    /// <summary>A client that sends <paramref name="apiKey"/> instead of the default key.</summary>
    public HttpClient CreateClient(string apiKey)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>
    /// Builds the service's host as <c>Program</c> does, with these settings, and runs the start-up validation the host
    /// runs before it serves (every <c>ValidateOnStart</c> option and its validators), without starting it. Returns
    /// what that validation throws, or null. Deterministic, unlike catching a failed start of the factory's deferred
    /// host: under load that can surface as an <see cref="ObjectDisposedException"/> when the app thread disposes the
    /// host before the test thread reads the error.
    /// </summary>
    public OptionsValidationException? ValidateStartup()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environment });
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.AddProofStorageApi();
        ConfigureServices?.Invoke(builder.Services);
        using var app = builder.Build();
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            return null;
        }
        catch (OptionsValidationException error)
        {
            return error;
        }
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

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
