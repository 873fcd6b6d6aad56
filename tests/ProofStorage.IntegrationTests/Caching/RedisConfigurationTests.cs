using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ProofStorage.Caching.Redis;
using StackExchange.Redis;

namespace ProofStorage.IntegrationTests.Caching;

/// <summary>The Redis level is optional: off by default, validated when on, visible in /v1/stats and readiness.</summary>
[Collection(SharedRedisGroup.Name)]
public sealed class RedisConfigurationTests(SharedRedisFixture redis)
{
    [Fact]
    public async Task ByDefault_RedisIsOff_StatsShowOnlyMemory_AndReadinessSaysDisabled()
    {
        await using var factory = new ProofStorageApiFactory();
        using var client = factory.CreateClient();

        using var stats = JsonDocument.Parse(await client.GetStringAsync("/v1/stats"));
        using var ready = JsonDocument.Parse(await client.GetStringAsync("/health/ready"));

        Assert.Equal(["memory"], stats.RootElement.GetProperty("cache").GetProperty("levels").EnumerateArray().Select(l => l.GetProperty("level").GetString()));
        var check = ready.RootElement.GetProperty("checks").GetProperty("redis");
        Assert.Equal("Healthy", check.GetProperty("status").GetString());
        Assert.Equal("Redis L2 disabled", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Enabled_WithoutConfiguration_StopsStartupWithAnActionableMessage()
    {
        await using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Redis:Enabled"] = "true";

        var error = Assert.IsType<OptionsValidationException>(factory.ValidateStartup());

        Assert.Contains("ProofStorage:Redis:Configuration is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_ExposeTheRedisLevelWithHitsBytesAndServerFigures()
    {
        await using var nodes = new RedisNodes(redis.Server.Endpoint);
        await nodes.WaitForRedisAsync();
        var stored = await RedisNodes.StoreAsync(nodes.A, ProofStorage.Testing.TestKeys.ImageHash("stats"), new { claim = "stats" });
        using (var read = await nodes.B.GetAsync($"/v1/proofs/{stored.ProofId}"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        // Server figures are sampled every 200 ms in these tests.
        JsonElement level = default;
        await Poll.UntilAsync(async () =>
        {
            using var stats = JsonDocument.Parse(await nodes.B.GetStringAsync("/v1/stats"));
            level = stats.RootElement.GetProperty("cache").GetProperty("levels").EnumerateArray().Single(l => l.GetProperty("level").GetString() == "redis").Clone();
            return level.GetProperty("entries").GetInt64() > 0;
        }, TimeSpan.FromSeconds(30), "sampled Redis figures");

        Assert.Equal(1, level.GetProperty("hits").GetInt64());
        Assert.Equal(1.0, level.GetProperty("hitRate").GetDouble());
        Assert.True(level.GetProperty("connected").GetBoolean());
        Assert.True(level.GetProperty("bytes").GetInt64() > 0);
        Assert.True(level.GetProperty("bytesRead").GetInt64() > 0);
        Assert.Equal(0, level.GetProperty("errors").GetInt64());
    }

    [Fact]
    public void Client_FailsFastWithTheConfiguredTimeouts_AndKeepsReconnectingByItself()
    {
        var configuration = RedisConnection.BuildConfiguration(new RedisProofCacheOptions
        {
            Enabled = true,
            Configuration = "redis.test:6380,password=secret",
            ConnectTimeout = TimeSpan.FromMilliseconds(250),
            OperationTimeout = TimeSpan.FromMilliseconds(300),
        });

        // A dead or frozen Redis costs a request at most these, never the client's 5 s defaults or a queue.
        Assert.Equal(250, configuration.ConnectTimeout);
        Assert.Equal(300, configuration.SyncTimeout);
        Assert.Equal(300, configuration.AsyncTimeout);
        Assert.Same(BacklogPolicy.FailFast, configuration.BacklogPolicy);
        Assert.False(configuration.AbortOnConnectFail);
        Assert.Equal("secret", configuration.Password);
    }
}
