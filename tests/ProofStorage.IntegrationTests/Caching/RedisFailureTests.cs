using System.Diagnostics;
using System.Net;
using ProofStorage.Testing;
using Xunit.Abstractions;

namespace ProofStorage.IntegrationTests.Caching;

/// <summary>
/// Fail-open: Redis absent, killed or frozen never fails or holds a request; L2 comes back by itself. While Redis is
/// dead or frozen it never answers, so a request that waited for it without a bound would never finish: finishing at
/// all (within the client's deadline) is the proof. How long each took is printed, not asserted (that measures the
/// machine); the client's fail-fast settings are checked in <see cref="RedisConfigurationTests"/>.
/// </summary>
public sealed class RedisFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RedisAbsentAtStartup_ServiceStartsServesAndReportsRedisDegraded()
    {
        var clock = Stopwatch.StartNew();
        var port = RedisServer.FreePort();
        await using var nodes = new RedisNodes($"127.0.0.1:{port}", count: 1);
        using (var ready = await nodes.A.GetAsync("/health/ready"))
        {
            output.WriteLine($"first answer {clock.ElapsedMilliseconds} ms after start: {await ready.Content.ReadAsStringAsync()}");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        Assert.Equal("Degraded", await RedisNodes.RedisHealthAsync(nodes.A));
        var latencies = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var request = Stopwatch.StartNew();
            var stored = await RedisNodes.StoreAsync(nodes.A, TestKeys.ImageHash("absent-" + i), new { i });
            using var response = await nodes.A.GetAsync($"/v1/proofs/{stored.ProofId}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            latencies.Add(request.Elapsed.TotalMilliseconds);
        }

        output.WriteLine($"store+get with Redis absent: max {latencies.Max():F1} ms, median {latencies.Order().ElementAt(latencies.Count / 2):F1} ms");
        Assert.False(nodes.Redis(0).Connected);

        // Redis appears later: the instance connects, subscribes and writes to it without a restart.
        await using var redis = await RedisServer.StartLocalAsync(port: port);
        await nodes.WaitForRedisAsync(TimeSpan.FromSeconds(60));
        await Poll.UntilAsync(async () =>
        {
            // A store right after the connect may still find the breaker open: each attempt stores a new proof.
            var late = await RedisNodes.StoreAsync(nodes.A, TestKeys.ImageHash("absent-late-" + Guid.NewGuid()), new { late = true });
            return (await redis.CommandAsync($"EXISTS {nodes.KeyPrefix}v2:{late.ProofId}")).StartsWith(":1", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "a stored proof written to Redis once it appeared");
    }

    [Fact]
    public async Task RedisKilledMidRun_NoRequestFails_AndL2HitsResumeAfterRestart()
    {
        await using var redis = await RedisServer.StartLocalAsync();
        await using var nodes = new RedisNodes(redis.Endpoint);
        await nodes.WaitForRedisAsync();

        // Four workers store and read on both instances concurrently while Redis is killed under them.
        var failures = 0;
        var requests = 0;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var ids = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        async Task WorkerAsync(int worker)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    var stored = await RedisNodes.StoreAsync(nodes.Clients[(worker + i) % 2], TestKeys.ImageHash($"kill-{worker}-{i}"), new { worker, i });
                    Interlocked.Increment(ref requests);
                    ids.Enqueue(stored.ProofId);
                    foreach (var id in ids.Reverse().Take(3).ToList())
                    {
                        foreach (var client in nodes.Clients)
                        {
                            using var response = await client.GetAsync($"/v1/proofs/{id}");
                            Interlocked.Increment(ref requests);
                            if (response.StatusCode != HttpStatusCode.OK)
                            {
                                Interlocked.Increment(ref failures);
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    output.WriteLine(ex.ToString());
                    Interlocked.Increment(ref failures);
                }

                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() => WorkerAsync(w))).ToList();
        await Poll.UntilAsync(() => Volatile.Read(ref requests) >= 200, TimeSpan.FromSeconds(60), "200 requests with Redis up");
        var beforeKill = Volatile.Read(ref requests);
        long[] errorsAtKill = [Errors(nodes, 0), Errors(nodes, 1)];
        await redis.KillAsync();

        // Each node's circuit breaker opens on the first failure, lets Redis be tried again after its period and
        // opens again: two openings per node since the kill, with the workers going on throughout.
        await Poll.UntilAsync(() => Volatile.Read(ref requests) - beforeKill >= 100 && Errors(nodes, 0) >= errorsAtKill[0] + 2 && Errors(nodes, 1) >= errorsAtKill[1] + 2,
            TimeSpan.FromSeconds(60), () => $"100 requests and two breaker openings per node with Redis dead (requests {Volatile.Read(ref requests) - beforeKill}, "
                + $"openings {Errors(nodes, 0) - errorsAtKill[0]} and {Errors(nodes, 1) - errorsAtKill[1]})");
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var ordered = latencies.Order().ToList();
        output.WriteLine($"{requests} requests ({beforeKill} before the kill), {failures} failed; rounds: median {ordered[ordered.Count / 2]:F1} ms, "
            + $"p99 {ordered[(int)(ordered.Count * 0.99)]:F1} ms, max {ordered[^1]:F1} ms");
        Assert.Equal(0, failures);
        Assert.Equal("Degraded", await RedisNodes.RedisHealthAsync(nodes.A));

        await redis.RestartAsync();
        var restarted = Stopwatch.StartNew();
        await nodes.WaitForRedisAsync(TimeSpan.FromSeconds(60));
        var hitsBefore = nodes.Redis(1).Hits;

        // The L2 resumes by itself: a proof stored on A is soon served to B from Redis (the breaker may still be open briefly).
        await Poll.UntilAsync(async () =>
        {
            var stored = await RedisNodes.StoreAsync(nodes.A, TestKeys.ImageHash("resume-" + Guid.NewGuid()), new { resumed = true });
            using var response = await nodes.B.GetAsync($"/v1/proofs/{stored.ProofId}");
            return response.StatusCode == HttpStatusCode.OK && nodes.Redis(1).Hits > hitsBefore;
        }, TimeSpan.FromSeconds(60), "an L2 hit on B after Redis restarted");
        output.WriteLine($"L2 hits resumed {restarted.ElapsedMilliseconds} ms after the restart");

        // The backplane re-subscribed by itself: a delete on A evicts B's memory entry again.
        await Poll.UntilAsync(async () => await nodes.BackplaneSubscribersAsync() == 2, TimeSpan.FromSeconds(60), "both nodes re-subscribed");
        var after = await RedisNodes.StoreAsync(nodes.A, TestKeys.ImageHash("after-restart"), new { after = true });
        using (var warm = await nodes.B.GetAsync($"/v1/proofs/{after.ProofId}"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        using (var deleted = await nodes.A.DeleteAsync($"/v1/proofs/{after.ProofId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await Poll.UntilAsync(async () =>
        {
            using var response = await nodes.B.GetAsync($"/v1/proofs/{after.ProofId}");
            return response.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(30), "B evicting the proof deleted on A after the restart (its memory entry lives an hour otherwise)");
    }

    [Fact]
    public async Task RedisFrozen_EveryRequestFinishesAndSucceeds_AndL2ResumesAfterThaw()
    {
        await using var redis = await RedisServer.StartLocalAsync();
        await using var nodes = new RedisNodes(redis.Endpoint);
        await nodes.WaitForRedisAsync();
        var warm = await RedisNodes.StoreAsync(nodes.A, TestKeys.ImageHash("frozen-warm"), new { warm = true });

        redis.Freeze();
        var latencies = new List<double>();
        try
        {
            for (var i = 0; i < 30; i++)
            {
                var clock = Stopwatch.StartNew();
                var stored = await RedisNodes.StoreAsync(nodes.Clients[i % 2], TestKeys.ImageHash("frozen-" + i), new { i });
                latencies.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                using (var other = await nodes.Clients[(i + 1) % 2].GetAsync($"/v1/proofs/{stored.ProofId}"))
                {
                    Assert.Equal(HttpStatusCode.OK, other.StatusCode);
                }

                latencies.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                using (var cached = await nodes.A.GetAsync($"/v1/proofs/{warm.ProofId}"))
                {
                    Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
                }

                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            redis.Thaw();
        }

        // Each request waits at most the L2 hard timeout (500 ms) plus the client's timeout for the negative-entry
        // cleanup, once per breaker period; printed for the record, the assert is that all of them finished and succeeded.
        output.WriteLine($"{latencies.Count} requests with Redis frozen: max {latencies.Max():F1} ms, median {latencies.Order().ElementAt(latencies.Count / 2):F1} ms, "
            + $"over 100 ms: {latencies.Count(l => l > 100)}");

        var hitsBefore = nodes.Redis(1).Hits;
        await Poll.UntilAsync(async () =>
        {
            var stored = await RedisNodes.StoreAsync(nodes.A, TestKeys.ImageHash("thawed-" + Guid.NewGuid()), new { thawed = true });
            using var response = await nodes.B.GetAsync($"/v1/proofs/{stored.ProofId}");
            return nodes.Redis(1).Hits > hitsBefore;
        }, TimeSpan.FromSeconds(60), "an L2 hit on B after Redis was thawed");
    }

    private static long Errors(RedisNodes nodes, int node) => nodes.Redis(node).Errors ?? 0;
}
