using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Core;
using ProofStorage.Core.Dedup;
using ProofStorage.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ProofStorage.IntegrationTests.Caching;

/// <summary>
/// What a store costs and leaves in Redis, watched on the real redis-server: the L2 holds the provider's envelope as it
/// is (one seal per store), and a create sends one L2 write, with nothing to clear a remembered "not found".
/// </summary>
[Collection(SharedRedisGroup.Name)]
public sealed class RedisL2EnvelopeTests(SharedRedisFixture redis, ITestOutputHelper output)
{
    [Fact]
    public async Task ProofEntryInRedis_HoldsTheProvidersObjectBytes()
    {
        await using var nodes = new RedisNodes(redis.Server.Endpoint);
        await nodes.WaitForRedisAsync();
        var stored = await RedisNodes.StoreAsync(nodes.A, TestKeys.ImageHash("envelope"), new { claim = "envelope", signature = "MEUCIQ" });

        var provider = nodes.Services(0).GetRequiredService<StorageManager>().Storage;
        var objectBytes = (await provider.GetAsync(DedupProtocol.ProofKey(stored.ProofId), CancellationToken.None))!.Content.ToArray();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Endpoint);
        var value = (byte[])(await connection.GetDatabase().HashGetAsync($"{nodes.KeyPrefix}v2:{stored.ProofId}", "data"))!;

        output.WriteLine($"provider object {objectBytes.Length} B, Redis value {value.Length} B");
        Assert.True(value.AsSpan().EndsWith(objectBytes), "the Redis value must end with the provider's object, byte for byte");
        Assert.InRange(value.Length - objectBytes.Length, 1, 128); // FusionCache entry fields and the proof id

        // And B, reading it from Redis, serves what A stored with the same ETag.
        using var read = await nodes.B.GetAsync($"/v1/proofs/{stored.ProofId}");
        using var direct = await nodes.A.GetAsync($"/v1/proofs/{stored.ProofId}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(1, nodes.Redis(1).Hits);
        Assert.Equal(direct.Headers.ETag, read.Headers.ETag);
    }

    [Fact]
    public async Task Create_SendsOneL2WriteOfItsOwnKey_AndNoDeleteEvenOverANegativeEntry()
    {
        // The remembered "not found" outlives the test (3 s by default could lapse before the store on a busy machine).
        await using var nodes = new RedisNodes(redis.Server.Endpoint, configure: s => s["ProofStorage:Cache:NegativeDuration"] = "00:10:00");
        await nodes.WaitForRedisAsync();

        // B remembers "not found" for the first image (in Redis, under the proof's own key).
        var images = Enumerable.Range(0, 4).Select(i => TestKeys.ImageHash("commands-" + i)).ToList();
        using (var missing = await nodes.B.GetAsync($"/v1/proofs/by-image/{images[0]}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        await using var monitor = await RedisMonitor.StartAsync(redis.Server.Host, redis.Server.Port);
        var proofIds = new List<string>();
        foreach (var image in images)
        {
            var stored = await RedisNodes.StoreAsync(nodes.A, image, new { claim = image });
            Assert.False(stored.Deduplicated);
            proofIds.Add(stored.ProofId);
        }

        // Every store awaited its L2 write: once Redis has run a later command, the monitor has seen them all.
        var commands = await monitor.UntilAsync("creates-done-" + Guid.NewGuid().ToString("N"));
        var ours = commands.Where(c => c.Contains(nodes.KeyPrefix, StringComparison.Ordinal) && !c.StartsWith("\"PUBLISH\"", StringComparison.OrdinalIgnoreCase))
            .ToList();
        foreach (var command in ours)
        {
            output.WriteLine(command.Length > 160 ? command[..160] + "…" : command);
        }

        Assert.DoesNotContain(ours, c => c.StartsWith("\"DEL\"", StringComparison.OrdinalIgnoreCase) || c.StartsWith("\"UNLINK\"", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(ours, c => c.Contains(":nf:", StringComparison.Ordinal));
        var perCreate = proofIds.Select(id => ours.Count(c => c.Contains($"{nodes.KeyPrefix}v2:{id}\"", StringComparison.Ordinal))).ToList();
        output.WriteLine($"commands per create: {string.Join(", ", perCreate)}; all commands on the prefix: {ours.Count}");

        // The L2 write of the proof is the only keyed command a create sends, the same for a create over a negative entry.
        Assert.All(perCreate, count => Assert.Equal(perCreate[^1], count));
        Assert.InRange(perCreate[^1], 1, 2);
        Assert.Equal(perCreate.Sum(), ours.Count);

        // The negative entry was overwritten: B finds the proof at once, without a storage read.
        var providerReads = nodes.ProviderGets(1);
        using var after = await nodes.B.GetAsync($"/v1/proofs/by-image/{images[0]}");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(providerReads, nodes.ProviderGets(1));
    }

    /// <summary>
    /// A raw connection in MONITOR mode: every command the server runs, one line each (RESP simple strings, arguments
    /// quoted and escaped), in the order it ran them.
    /// </summary>
    private sealed class RedisMonitor : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly string _host;
        private readonly int _port;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reader;

        private RedisMonitor(TcpClient client, string host, int port)
        {
            _client = client;
            _host = host;
            _port = port;
            _reader = ReadAsync(new StreamReader(client.GetStream(), Encoding.UTF8), _stop.Token);
        }

        public static async Task<RedisMonitor> StartAsync(string host, int port)
        {
            var client = new TcpClient();
            await client.ConnectAsync(host, port);
            await client.GetStream().WriteAsync("MONITOR\r\n"u8.ToArray());
            var monitor = new RedisMonitor(client, host, port);

            // Monitoring starts with "+OK"; wait for it so no later command is missed.
            await monitor.WaitForAsync(line => line == "OK", "MONITOR to start");
            return monitor;
        }

        /// <summary>Runs <c>ECHO marker</c> and returns the commands seen before it, without the monitor's timestamps.</summary>
        public async Task<IReadOnlyList<string>> UntilAsync(string marker)
        {
            await RedisServer.CommandAsync(_host, _port, "ECHO " + marker);
            await WaitForAsync(line => line.Contains($"\"ECHO\" \"{marker}\"", StringComparison.Ordinal), "the marker command");
            var commands = new List<string>();
            foreach (var line in _lines)
            {
                if (line.Contains(marker, StringComparison.Ordinal))
                {
                    break;
                }

                // "1700000000.123456 [0 127.0.0.1:5555] \"HSET\" \"key\" …" → "\"HSET\" \"key\" …"
                var bracket = line.IndexOf("] ", StringComparison.Ordinal);
                if (bracket > 0)
                {
                    commands.Add(line[(bracket + 2)..]);
                }
            }

            return commands;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _client.Dispose();
            try
            {
                await _reader;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
            {
            }

            _stop.Dispose();
        }

        private Task WaitForAsync(Func<string, bool> condition, string what) =>
            Poll.UntilAsync(() =>
            {
                var seen = _lines.Any(condition);
                Assert.False(!seen && _reader.IsCompleted, $"the MONITOR connection closed before it showed {what}");
                return seen;
            }, TimeSpan.FromSeconds(60), "Redis MONITOR to show " + what);

        private async Task ReadAsync(StreamReader reader, CancellationToken cancellationToken)
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                _lines.Enqueue(line.StartsWith('+') ? line[1..] : line);
            }
        }
    }
}
