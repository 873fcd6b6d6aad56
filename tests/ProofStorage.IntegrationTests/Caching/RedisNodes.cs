using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Core;
using ProofStorage.Core.Caching;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Caching;

/// <summary>
/// Service instances that share one Redis (each test its own key prefix) and one filesystem data folder, as
/// several replicas behind a load balancer would.
/// </summary>
internal sealed class RedisNodes : IAsyncDisposable
{
    private readonly List<ProofStorageApiFactory> _factories = [];

    public RedisNodes(string redisConfiguration, int count = 2, Action<Dictionary<string, string?>>? configure = null)
    {
        RedisConfiguration = redisConfiguration;
        SharedFolder = TestFolders.New("shared");
        KeyPrefix = "pst-" + Guid.NewGuid().ToString("N")[..8] + ":";
        for (var i = 0; i < count; i++)
        {
            var factory = new ProofStorageApiFactory();
            factory.Settings["ProofStorage:Storage:Primary:Type"] = "FileSystem";
            factory.Settings["ProofStorage:Storage:Primary:Path"] = SharedFolder;
            factory.Settings["ProofStorage:Storage:Primary:FlushToDisk"] = "false";
            factory.Settings["ProofStorage:Redis:Enabled"] = "true";
            factory.Settings["ProofStorage:Redis:Configuration"] = redisConfiguration;
            factory.Settings["ProofStorage:Redis:KeyPrefix"] = KeyPrefix;
            factory.Settings["ProofStorage:Redis:StatusInterval"] = "00:00:00.200";
            factory.Settings["Serilog:MinimumLevel:Default"] = "Error";
            factory.Settings["Serilog:MinimumLevel:Override:ZiggyCreatures"] = "Error";
            factory.Settings["Serilog:MinimumLevel:Override:ProofStorage"] = "Error";
            configure?.Invoke(factory.Settings);
            _factories.Add(factory);
        }

        Clients = [.. _factories.Select(f => f.CreateClient())];
    }

    public string SharedFolder { get; }

    public string RedisConfiguration { get; }

    /// <summary>The backplane channel FusionCache uses for this key prefix.</summary>
    public string BackplaneChannel => KeyPrefix + "proofs.Backplane:v2";

    public string KeyPrefix { get; }

    public IReadOnlyList<HttpClient> Clients { get; }

    public HttpClient A => Clients[0];

    public HttpClient B => Clients[1];

    public IServiceProvider Services(int node) => _factories[node].Services;

    public StorageSnapshot Stats(int node) => _factories[node].Services.GetRequiredService<StorageManager>().GetStatistics();

    public CacheLevelSnapshot Redis(int node) => Stats(node).Cache.Levels.Single(l => l.Level == "redis");

    public CacheLevelSnapshot Memory(int node) => Stats(node).Cache.Levels.Single(l => l.Level == "memory");

    public long ProviderGets(int node) => Stats(node).Storage.Sum(p => p.Gets);

    /// <summary>Waits until every node reports Redis connected on /health/ready and is subscribed to the backplane.</summary>
    public async Task WaitForRedisAsync(TimeSpan? timeout = null)
    {
        foreach (var client in Clients)
        {
            await Poll.UntilAsync(async () => await RedisHealthAsync(client) == "Healthy", timeout ?? TimeSpan.FromSeconds(60), "Redis connected");
        }

        await Poll.UntilAsync(async () => await BackplaneSubscribersAsync() >= Clients.Count, timeout ?? TimeSpan.FromSeconds(60), "every node subscribed to the backplane");
    }

    /// <summary>Subscribers of this group's backplane channel, from Redis itself (PUBSUB NUMSUB).</summary>
    public async Task<int> BackplaneSubscribersAsync()
    {
        var separator = RedisConfiguration.LastIndexOf(':');
        var reply = await RedisServer.CommandAsync(RedisConfiguration[..separator], int.Parse(RedisConfiguration[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture),
            "PUBSUB NUMSUB " + BackplaneChannel);

        // *2 $len channel :count
        var colon = reply.LastIndexOf(':');
        return int.Parse(reply[(colon + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<string?> RedisHealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString();
    }

    public static async Task<StoreResult> StoreAsync(HttpClient client, string imageHash, object proof)
    {
        using var response = await client.PostAsJsonAsync("/v1/proofs", new { imageHash, proof });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"store answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return new StoreResult(json.RootElement.GetProperty("proofId").GetString()!, response.StatusCode == HttpStatusCode.OK);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in Clients)
        {
            client.Dispose();
        }

        foreach (var factory in _factories)
        {
            await factory.DisposeAsync();
        }

        try
        {
            Directory.Delete(SharedFolder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

internal sealed record StoreResult(string ProofId, bool Deduplicated);

/// <summary>One redis-server for the tests that do not kill or freeze it (each test uses its own key prefix).</summary>
public sealed class SharedRedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedRedisGroup : ICollectionFixture<SharedRedisFixture>
{
    public const string Name = "shared redis";
}
