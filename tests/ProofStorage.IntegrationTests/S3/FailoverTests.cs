using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Storage.Failover;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>
/// A primary/secondary pair of real S3 server processes that each test owns, so it can kill, freeze, restart
/// and corrupt them.
/// </summary>
public sealed class FailoverTests : IAsyncLifetime
{
    private S3Server _primary = null!;
    private S3Server _secondary = null!;
    private readonly string _prefix = S3TestHost.NewPrefix();

    public async Task InitializeAsync()
    {
        var started = await Task.WhenAll(S3Server.StartAsync(), S3Server.StartAsync());
        (_primary, _secondary) = (started[0], started[1]);
    }

    public async Task DisposeAsync()
    {
        await _primary.DisposeAsync();
        await _secondary.DisposeAsync();
    }

    [Fact]
    public async Task PrimaryKilled_StoresAndReadsSucceedViaSecondary_AndTheLogFillsThePrimaryWhenItIsBack()
    {
        using var factory = S3TestHost.Create(_prefix, _primary, _secondary);
        using var client = factory.CreateClient();
        var acknowledged = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            acknowledged.Add((await S3TestHost.StoreAsync(client, TestKeys.ImageHash($"before-{i}"), $"{{\"n\":{i}}}")).ProofId);
        }

        await _primary.KillAsync();
        for (var i = 0; i < 10; i++)
        {
            acknowledged.Add((await S3TestHost.StoreAsync(client, TestKeys.ImageHash($"during-{i}"), $"{{\"n\":{i}}}")).ProofId);
        }

        // Reads through a second host (empty cache) while the primary is still down.
        using (var reader = S3TestHost.Create(_prefix, _primary, _secondary))
        using (var readerClient = reader.CreateClient())
        {
            foreach (var proofId in acknowledged)
            {
                using var response = await readerClient.GetAsync($"/v1/proofs/{proofId}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        var pair = Pair(factory);
        Assert.True(pair.PendingReplications >= 10, $"expected ≥10 pending replications, found {pair.PendingReplications}");
        var stopwatch = Stopwatch.StartNew();
        await _primary.RestartAsync();
        await Poll.UntilAsync(() => Task.FromResult(pair.PendingReplications == 0), TimeSpan.FromSeconds(60), "the replication log to drain");
        Console.WriteLine($"replication log drained {acknowledged.Count - 5} entries in {stopwatch.ElapsedMilliseconds} ms after the primary restarted");

        var onPrimary = await S3TestHost.ReadBucketAsync(_primary, _prefix);
        var onSecondary = await S3TestHost.ReadBucketAsync(_secondary, _prefix);
        foreach (var proofId in acknowledged)
        {
            var key = $"{_prefix}proofs/{proofId}";
            Assert.True(onPrimary.ContainsKey(key), $"primary lacks {key}");
            Assert.True(onSecondary.ContainsKey(key), $"secondary lacks {key}");
            Assert.Equal(onPrimary[key], onSecondary[key]);
        }
    }

    [Fact]
    public async Task ReplicationLog_SurvivesARestartOfTheService()
    {
        var dataPath = TestFolders.New("tests");
        string proofId;
        using (var first = S3TestHost.Create(_prefix, _primary, _secondary, dataPath: dataPath))
        using (var client = first.CreateClient())
        {
            await _primary.KillAsync();
            proofId = (await S3TestHost.StoreAsync(client, TestKeys.ImageHash("crash"), "{\"n\":1}")).ProofId;
            Assert.Equal(1, Pair(first).PendingReplications);
        }

        await _primary.RestartAsync();
        using var second = S3TestHost.Create(_prefix, _primary, _secondary, dataPath: dataPath);
        using var secondClient = second.CreateClient();
        var pair = Pair(second);
        await Poll.UntilAsync(() => Task.FromResult(pair.PendingReplications == 0), TimeSpan.FromSeconds(60), "the reloaded log to drain");
        Assert.Contains($"{_prefix}proofs/{proofId}", (await S3TestHost.ReadBucketAsync(_primary, _prefix)).Keys);
    }

    [Fact]
    public async Task PrimaryFrozen_RequestsSucceedViaTheSecondary_AndOnceTheBreakerIsOpenThePrimaryIsNotCalled()
    {
        using var factory = SecondaryAtUsualTimeouts(S3TestHost.Create(_prefix, _primary, _secondary, fastTimeouts: true));
        // Two failures open the breaker however slowly they come, and it stays open for the rest of the test.
        factory.Settings["ProofStorage:Storage:Failover:SamplingDuration"] = "00:10:00";
        factory.Settings["ProofStorage:Storage:Failover:BreakDuration"] = "00:10:00";
        using var client = factory.CreateClient();
        var (existing, _) = await S3TestHost.StoreAsync(client, TestKeys.ImageHash("before-freeze"), "{\"n\":0}");

        await _primary.FreezeAsync();
        try
        {
            // A frozen primary never answers, so each request that finishes and succeeds shows the per-call timeouts
            // at work (the time each took is printed, not asserted: that would measure the machine).
            using var reader = SecondaryAtUsualTimeouts(S3TestHost.Create(_prefix, _primary, _secondary, fastTimeouts: true));
            using var readerClient = reader.CreateClient();
            var pair = Pair(factory);
            var timings = new List<TimeSpan>();
            var i = 0;
            await Poll.UntilAsync(async () =>
            {
                var stopwatch = Stopwatch.StartNew();
                await S3TestHost.StoreAsync(client, TestKeys.ImageHash($"frozen-{i}"), $"{{\"n\":{i++}}}");
                timings.Add(stopwatch.Elapsed);
                stopwatch.Restart();
                using (var read = await readerClient.GetAsync($"/v1/proofs/{existing}"))
                {
                    Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                }

                timings.Add(stopwatch.Elapsed);
                return pair.Primary.Breaker.CircuitState == Polly.CircuitBreaker.CircuitState.Open;
            }, TimeSpan.FromSeconds(120), "the primary's circuit to open");
            Console.WriteLine($"request times with the primary frozen (ms): {string.Join(", ", timings.Select(t => t.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");

            // Open: stores go to the secondary without a call to the primary (so without waiting for it).
            var before = Providers(factory);
            for (var n = 0; n < 3; n++)
            {
                await S3TestHost.StoreAsync(client, TestKeys.ImageHash($"open-{n}"), $"{{\"n\":{n}}}");
            }

            var after = Providers(factory);
            Assert.Equal(before["primary"], after["primary"]);
            Assert.Equal(before["secondary"].Puts + 3, after["secondary"].Puts);
        }
        finally
        {
            await _primary.ThawAsync();
        }
    }

    [Fact]
    public async Task Delete_PrimaryLostItsCopyAndSecondaryIsDown_LogsTheSecondarysDelete_SoTheProofNeverComesBack()
    {
        var (proofId, key) = await StoreThroughAnotherInstanceAsync("lost-on-primary", "{\"n\":1}");
        using (var raw = S3TestHost.RawClient(_primary))
        {
            await raw.DeleteObjectAsync(S3Server.Bucket, key);
        }

        await _secondary.KillAsync();

        // An instance without the proof in L1: its delete reads the pair, whose primary answers "no such object" and whose
        // secondary (which still holds a copy) cannot be reached.
        using var deleter = S3TestHost.Create(_prefix, _primary, _secondary);
        using var deleterClient = deleter.CreateClient();
        using (var deleted = await deleterClient.DeleteAsync($"/v1/proofs/{proofId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
        }

        var pair = Pair(deleter);
        Assert.Equal(1, pair.PendingReplications);
        await _secondary.RestartAsync();
        await Poll.UntilAsync(() => Task.FromResult(pair.PendingReplications == 0), TimeSpan.FromSeconds(60), "the pending delete to drain");
        Assert.DoesNotContain(key, (await S3TestHost.ReadBucketAsync(_secondary, _prefix)).Keys);
        using var read = await deleterClient.GetAsync($"/v1/proofs/{proofId}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task PrimaryCopyCorruptedOnDisk_GetServesTheSecondaryCopyAndRepairsThePrimary()
    {
        var (proofId, key) = await StoreThroughAnotherInstanceAsync("rot", "{\"sig\":\"intact\"}");
        var good = (await S3TestHost.ReadBucketAsync(_secondary, _prefix))[key];
        FlipAByte(_primary.ObjectFile(key));

        using var reader = S3TestHost.Create(_prefix, _primary, _secondary);
        using var readerClient = reader.CreateClient();
        using var response = await readerClient.GetAsync($"/v1/proofs/{proofId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("intact", (await S3TestHost.ReadJsonAsync(response)).GetProperty("proof").GetProperty("sig").GetString());
        Assert.Equal(good, (await S3TestHost.ReadBucketAsync(_primary, _prefix))[key]);
    }

    [Fact]
    public async Task NoGoodCopyAnywhere_Returns5xxProblemDetailsAndNeverTheBytes()
    {
        var (proofId, key) = await StoreThroughAnotherInstanceAsync("rot-both", "{\"sig\":\"secret-signature\"}");
        FlipAByte(_primary.ObjectFile(key));
        FlipAByte(_secondary.ObjectFile(key));

        using var reader = S3TestHost.Create(_prefix, _primary, _secondary);
        using var readerClient = reader.CreateClient();
        using var response = await readerClient.GetAsync($"/v1/proofs/{proofId}");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("urn:proofstorage:problem:integrity", body, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-signature", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawObjectsInBothBuckets_HoldNoPlaintext()
    {
        using var factory = S3TestHost.Create(_prefix, _primary, _secondary);
        using var client = factory.CreateClient();
        const string marker = "PLAINTEXT-MARKER-7f3a";
        var hash = TestKeys.ImageHash("plaintext");
        await S3TestHost.StoreAsync(client, hash, $"{{\"sig\":\"{marker}\",\"claim\":\"{new string('x', 2000)}\"}}");

        foreach (var server in new[] { _primary, _secondary })
        {
            var objects = await S3TestHost.ReadBucketAsync(server, _prefix);
            Assert.NotEmpty(objects);
            foreach (var (key, bytes) in objects)
            {
                var text = Encoding.Latin1.GetString(bytes);
                Assert.DoesNotContain(marker, text, StringComparison.Ordinal);
                Assert.DoesNotContain(hash, text, StringComparison.Ordinal);
                Assert.DoesNotContain("xxxxxxxx", text, StringComparison.Ordinal);
                Assert.Equal((byte)'P', bytes[0]);
                Assert.Equal((byte)'S', bytes[1]);
            }
        }
    }

    [Theory]
    [InlineData("S3")]
    [InlineData("R2")]
    public async Task ProofsPersistAcrossARestartOfTheServerAndTheService(string type)
    {
        string proofId;
        var hash = TestKeys.ImageHash("persist-" + type);
        using (var first = S3TestHost.Create(_prefix, _primary, type: type))
        using (var client = first.CreateClient())
        {
            proofId = (await S3TestHost.StoreAsync(client, hash, "{\"sig\":\"kept\"}")).ProofId;
        }

        await _primary.RestartAsync();

        using var second = S3TestHost.Create(_prefix, _primary, type: type);
        using var secondClient = second.CreateClient();
        using var response = await secondClient.GetAsync($"/v1/proofs/by-image/{hash}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await S3TestHost.ReadJsonAsync(response);
        Assert.Equal(proofId, body.GetProperty("proofId").GetString());
        Assert.Equal("kept", body.GetProperty("proof").GetProperty("sig").GetString());
    }

    [Fact]
    public async Task HealthAndStats_ReportEachProviderWithItsCircuit()
    {
        using var factory = S3TestHost.Create(_prefix, _primary, _secondary);
        // The failures open the breaker however slowly they come, and it stays open until the health check reads it
        // (with the hosts' 0.5 s it could be half-open again by then on a loaded machine: one CI run read that).
        factory.Settings["ProofStorage:Storage:Failover:SamplingDuration"] = "00:10:00";
        factory.Settings["ProofStorage:Storage:Failover:BreakDuration"] = "00:10:00";
        using var client = factory.CreateClient();
        await S3TestHost.StoreAsync(client, TestKeys.ImageHash("stats"), "{\"n\":1}");

        var healthy = await ReadyAsync(client);
        Assert.Equal("Healthy", healthy.GetProperty("status").GetString());
        var storage = healthy.GetProperty("checks").GetProperty("storage").GetProperty("data");
        Assert.Equal("Closed", storage.GetProperty("primary").GetProperty("circuit").GetString());
        Assert.Equal("Closed", storage.GetProperty("secondary").GetProperty("circuit").GetString());

        await _primary.KillAsync();
        for (var i = 0; i < 3; i++)
        {
            await S3TestHost.StoreAsync(client, TestKeys.ImageHash($"stats-{i}"), "{\"n\":1}");
        }

        var degraded = await ReadyAsync(client);
        Assert.Equal("Degraded", degraded.GetProperty("status").GetString());
        var primary = degraded.GetProperty("checks").GetProperty("storage").GetProperty("data").GetProperty("primary");
        Assert.Equal("Unhealthy", primary.GetProperty("status").GetString());
        Assert.Equal("Open", primary.GetProperty("circuit").GetString());

        using var stats = await client.GetAsync("/v1/stats");
        Console.WriteLine(await stats.Content.ReadAsStringAsync());
        var providers = (await S3TestHost.ReadJsonAsync(stats)).GetProperty("storage").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.True(providers["primary"].GetProperty("errors").GetInt64() > 0);
        Assert.True(providers["secondary"].GetProperty("puts").GetInt64() >= 4);
        Assert.True(providers["secondary"].GetProperty("latencyP99Ms").GetDouble() > 0);
    }

    /// <summary>
    /// Short timeouts are for the frozen primary (so waiting for it stays short); the secondary, which answers, keeps the
    /// usual ones, so a slow answer on a busy machine is not taken for a dead server.
    /// </summary>
    private static ProofStorageApiFactory SecondaryAtUsualTimeouts(ProofStorageApiFactory factory)
    {
        factory.Settings["ProofStorage:Storage:Secondary:Timeout"] = "00:00:30";
        factory.Settings["ProofStorage:Storage:Secondary:OperationTimeout"] = "00:01:00";
        return factory;
    }

    /// <summary>Each member's call counts, as /v1/stats reports them (without the latency figures, which move by themselves).</summary>
    private static Dictionary<string, (long Gets, long Puts, long Deletes, long Errors)> Providers(ProofStorageApiFactory factory) =>
        factory.Services.GetRequiredService<ProofStorage.Core.StorageManager>().GetStatistics().Storage
            .ToDictionary(p => p.Name, p => (p.Gets, p.Puts, p.Deletes, p.Errors));

    private static FailoverStorageProvider Pair(ProofStorageApiFactory factory) =>
        factory.Services.GetRequiredService<FailoverStorageProvider>();

    private static async Task<JsonElement> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready");
        return await S3TestHost.ReadJsonAsync(response);
    }

    /// <summary>
    /// Stores a proof through an instance of its own over the pair (so no other instance has it in L1); returns its id and
    /// the object key both members hold it under.
    /// </summary>
    private async Task<(string ProofId, string Key)> StoreThroughAnotherInstanceAsync(string label, string json)
    {
        using var writer = S3TestHost.Create(_prefix, _primary, _secondary);
        using var client = writer.CreateClient();
        var (proofId, _) = await S3TestHost.StoreAsync(client, TestKeys.ImageHash(label), json);
        return (proofId, $"{_prefix}proofs/{proofId}");
    }

    private static void FlipAByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
    }
}
