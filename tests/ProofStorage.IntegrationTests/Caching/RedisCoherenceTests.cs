using System.Net;
using System.Text;
using ProofStorage.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ProofStorage.IntegrationTests.Caching;

/// <summary>Two instances sharing one Redis and one storage folder: L2 hits, backplane evictions, negative lookups.</summary>
[Collection(SharedRedisGroup.Name)]
public sealed class RedisCoherenceTests(SharedRedisFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task Get_AfterOtherInstanceStored_IsAnL2HitWithoutProviderRead()
    {
        await using var nodes = new RedisNodes(redis.Server.Endpoint);
        await nodes.WaitForRedisAsync();
        var stored = await RedisNodes.StoreAsync(nodes.A, TestKeys.ImageHash("l2-hit"), new { claim = "l2-hit" });

        using var response = await nodes.B.GetAsync($"/v1/proofs/{stored.ProofId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, nodes.Redis(1).Hits);
        Assert.Equal(0, nodes.ProviderGets(1));
        Assert.True(nodes.Redis(0).BytesWritten > 0);
    }

    [Fact]
    public async Task Delete_OnA_EvictsTheProofFromBsMemoryCache()
    {
        await using var nodes = new RedisNodes(redis.Server.Endpoint);
        await nodes.WaitForRedisAsync();
        var stored = await RedisNodes.StoreAsync(nodes.A, TestKeys.ImageHash("delete"), new { claim = "delete" });
        using (var warm = await nodes.B.GetAsync($"/v1/proofs/{stored.ProofId}"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        Assert.True(nodes.Memory(1).Entries >= 1);

        using (var deleted = await nodes.A.DeleteAsync($"/v1/proofs/{stored.ProofId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        // The backplane message is delivered asynchronously after A's delete returns: B answers 404 once it arrived.
        // B's memory entry lives an hour (Cache:MemoryDuration), so within this deadline only the eviction can end it.
        var attempts = 0;
        await Poll.UntilAsync(async () =>
        {
            attempts++;
            using var response = await nodes.B.GetAsync($"/v1/proofs/{stored.ProofId}");
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"B answered {(int)response.StatusCode}");
            return response.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(30), "B to drop the proof A deleted");
        output.WriteLine($"B answered 404 after {attempts} GETs");
    }

    [Fact]
    public async Task Store_OnA_IsVisibleAtOnceOnBAfterBCachedTheNegativeLookup()
    {
        // Negative entries live long enough that only the store can end them during the test (never a slow request).
        await using var nodes = new RedisNodes(redis.Server.Endpoint, configure: s => s["ProofStorage:Cache:NegativeDuration"] = "00:10:00");
        await nodes.WaitForRedisAsync();
        var image = TestKeys.ImageHash("negative");

        using (var first = await nodes.B.GetAsync($"/v1/proofs/by-image/{image}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        }

        var readsAfterFirst = nodes.ProviderGets(1);
        using (var second = await nodes.B.GetAsync($"/v1/proofs/by-image/{image}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        }

        Assert.Equal(readsAfterFirst, nodes.ProviderGets(1));
        Assert.Equal(1, nodes.Redis(1).NegativeHits);

        // The other instance also answers the negative from Redis, without reading storage.
        using (var other = await nodes.A.GetAsync($"/v1/proofs/by-image/{image}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        Assert.Equal(0, nodes.ProviderGets(0));

        await RedisNodes.StoreAsync(nodes.A, image, new { claim = "negative" });
        using var after = await nodes.B.GetAsync($"/v1/proofs/by-image/{image}");

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task ConcurrentColdGets_ReadTheProviderAtMostOncePerInstance()
    {
        await using var nodes = new RedisNodes(redis.Server.Endpoint);
        await nodes.WaitForRedisAsync();

        // Written by a third instance without Redis, so neither node nor Redis has it cached.
        await using (var writer = new ProofStorageApiFactory())
        {
            writer.Settings["ProofStorage:Storage:Primary:Path"] = nodes.SharedFolder;
            using var client = writer.CreateClient();
            var stored = await RedisNodes.StoreAsync(client, TestKeys.ImageHash("stampede"), new { claim = "stampede", pad = new string('x', 20_000) });

            using var start = new ManualResetEventSlim();
            var requests = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            {
                start.Wait();
                using var response = await nodes.Clients[i % 2].GetAsync($"/v1/proofs/{stored.ProofId}");
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(requests);

            Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Single(results.Select(r => r.Item2).Distinct());
        }

        output.WriteLine($"provider reads: A={nodes.ProviderGets(0)} B={nodes.ProviderGets(1)}; redis hits A={nodes.Redis(0).Hits} B={nodes.Redis(1).Hits}");
        Assert.InRange(nodes.ProviderGets(0), 0, 1);
        Assert.InRange(nodes.ProviderGets(1), 0, 1);
        Assert.InRange(nodes.ProviderGets(0) + nodes.ProviderGets(1), 1, 2);
    }

    [Fact]
    public async Task RawRedisValues_HoldNoPlaintextProofContent()
    {
        await using var nodes = new RedisNodes(redis.Server.Endpoint);
        await nodes.WaitForRedisAsync();
        const string marker = "PLAINTEXT-MARKER-7f3a";
        var image = TestKeys.ImageHash("plaintext");
        var stored = await RedisNodes.StoreAsync(nodes.A, image, new { claim = marker, signature = marker + "-sig" });
        using (var read = await nodes.B.GetAsync($"/v1/proofs/{stored.ProofId}"))
        {
            Assert.Contains(marker, await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Endpoint + ",allowAdmin=true");
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var database = connection.GetDatabase();
        var keys = server.Keys(pattern: nodes.KeyPrefix + "*").ToList();
        Assert.NotEmpty(keys);
        var values = new List<byte[]>();
        foreach (var key in keys)
        {
            if (await database.KeyTypeAsync(key) == RedisType.Hash)
            {
                values.AddRange((await database.HashGetAllAsync(key)).Select(e => (byte[])e.Value!));
            }
            else
            {
                values.Add((byte[])(await database.StringGetAsync(key))!);
            }
        }

        var total = values.Sum(v => v.Length);
        output.WriteLine($"{keys.Count} keys, {total} bytes: {string.Join(", ", keys)}");
        Assert.True(total > 100, "the proof entry should be in Redis");
        foreach (var value in values)
        {
            Assert.False(Contains(value, Encoding.UTF8.GetBytes(marker)), "a raw Redis value contains the proof's plaintext");
            Assert.False(Contains(value, Encoding.UTF8.GetBytes(image)), "a raw Redis value contains the image hash");
            Assert.False(Contains(value, Encoding.UTF8.GetBytes("\"claim\"")), "a raw Redis value contains record JSON");
        }
    }

    [Fact]
    public async Task MemoryByteBudget_IsHonouredUnderFourTimesItsSize_ForEntriesFilledFromRedis()
    {
        const long budget = 64 * 1024;
        await using var nodes = new RedisNodes(redis.Server.Endpoint, configure: s => s["ProofStorage:Cache:MemorySizeLimitBytes"] = budget.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await nodes.WaitForRedisAsync();
        var ids = new List<string>();
        for (var i = 0; ids.Count * 2 * 4096 < 4 * budget; i++)
        {
            // ~4 KB of incompressible JSON per proof: JSON + gzip ≈ 8 KB charged per entry.
            var pad = Convert.ToBase64String(System.Security.Cryptography.SHA512.HashData(BitConverter.GetBytes(i)).Concat(
                Enumerable.Range(0, 47).SelectMany(j => System.Security.Cryptography.SHA512.HashData(BitConverter.GetBytes((i * 100) + j)))).ToArray());
            ids.Add((await RedisNodes.StoreAsync(nodes.A, TestKeys.ImageHash("budget-" + i), new { pad })).ProofId);
        }

        foreach (var id in ids)
        {
            using var response = await nodes.B.GetAsync($"/v1/proofs/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        foreach (var node in new[] { 0, 1 })
        {
            var memory = nodes.Memory(node);
            output.WriteLine($"node {node}: {memory.Entries} entries, {memory.Bytes} bytes of {memory.LimitBytes}, {memory.Evictions} evictions");
            Assert.InRange(memory.Bytes, 1, budget);
            Assert.True(memory.Entries < ids.Count, "not every proof can fit");

            // Each entry is charged its real size (JSON + gzip), also when it came from Redis.
            Assert.True(memory.Bytes >= memory.Entries * 6000, $"{memory.Bytes} bytes for {memory.Entries} entries: entries are undercharged");
        }

        Assert.Equal(ids.Count, nodes.Redis(1).Hits);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
