using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ProofStorage.Core.Dedup;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests.Maintenance;

/// <summary>Re-encryption in place of a failover pair on the real local S3 servers while the service serves.</summary>
public sealed class ReencryptTests(S3ServerFixture servers) : IClassFixture<S3ServerFixture>, IDisposable
{
    private const int Seeded = 60;
    private readonly MigrationWorkspace _workspace = new("data", "new", "old");

    [Fact]
    public async Task Reencrypt_WhileTheServiceStoresReadsAndDeletes_LeavesNothingUnderTheOldKey_AndTheServiceServesEverythingWithoutIt()
    {
        var prefix = S3TestHost.NewPrefix();
        _workspace.UsePair(StoreFixtures.S3(servers.Primary, prefix), StoreFixtures.S3(servers.Secondary, prefix));
        var records = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        var labels = new ConcurrentBag<string>();

        // 1. Proofs sealed under "old".
        using (var oldService = Service(prefix, "old"))
        {
            using var client = oldService.CreateClient();
            for (var i = 0; i < Seeded; i++)
            {
                labels.Add($"seed-{i}");
                var (id, _) = await S3TestHost.StoreAsync(client, TestKeys.ImageHash($"seed-{i}"), Encoding.UTF8.GetString(StoreFixtures.ProofJson($"seed-{i}")));
                records[id] = await client.GetByteArrayAsync($"/v1/proofs/{id}");
            }
        }

        // 2. The operator makes "new" the active key (keeping "old" to read with), and re-encrypts while traffic runs.
        var deleted = new ConcurrentBag<string>();
        var operations = 0;
        using (var service = Service(prefix, "new", "old"))
        {
            using var client = service.CreateClient();
            using var stop = new CancellationTokenSource();
            var seededIds = records.Keys.Order(StringComparer.Ordinal).ToArray();
            var traffic = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    labels.Add($"during-{i}");
                    var (id, _) = await S3TestHost.StoreAsync(client, TestKeys.ImageHash($"during-{i}"), Encoding.UTF8.GetString(StoreFixtures.ProofJson($"during-{i}")));
                    records[id] = await client.GetByteArrayAsync($"/v1/proofs/{id}");
                    var read = seededIds[(i * 7) % seededIds.Length];
                    if (!deleted.Contains(read))
                    {
                        Assert.Equal(records[read], await client.GetByteArrayAsync($"/v1/proofs/{read}"));
                    }

                    if (i % 3 == 0 && i / 3 < 10)
                    {
                        var victim = seededIds[i / 3 * 5];
                        using var response = await client.DeleteAsync($"/v1/proofs/{victim}");
                        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                        deleted.Add(victim);
                    }

                    Interlocked.Increment(ref operations);
                }
            });

            var (exitCode, output) = await _workspace.RunCommandAsync(["keys", "reencrypt"], "--objects-per-second", "25", "--batch-size", "10");
            await stop.CancelAsync();
            await traffic;
            Assert.True(exitCode == 0, output);
            Assert.True(Volatile.Read(ref operations) > 0, "no traffic ran during the re-encryption");
            Assert.True(_workspace.ReadReport().GetProperty("counts").GetProperty("reencrypted").GetInt64() > 0);
        }

        // 3. The census: nothing left under "old" on either copy; everything alive under "new".
        var (censusExit, censusOutput) = await _workspace.RunCommandAsync(["keys", "census"], "--restart");
        Assert.True(censusExit == 0, censusOutput);
        var census = _workspace.ReadReport().GetProperty("counts");
        var alive = records.Keys.Except(deleted).ToList();
        Assert.False(census.TryGetProperty("sealed.primary.old", out _), censusOutput);
        Assert.False(census.TryGetProperty("sealed.secondary.old", out _), censusOutput);
        Assert.Equal(alive.Count, census.GetProperty("sealed.primary.new").GetInt64());
        Assert.Equal(alive.Count, census.GetProperty("sealed.secondary.new").GetInt64());

        // 4. Deleted proofs stayed deleted on both servers; nothing is plaintext.
        var primary = StoreFixtures.ObjectFiles(servers.Primary, prefix);
        var secondary = StoreFixtures.ObjectFiles(servers.Secondary, prefix);
        Assert.Equal(alive.Order(StringComparer.Ordinal), primary.Keys);
        Assert.Equal(alive.Order(StringComparer.Ordinal), secondary.Keys);
        var markers = StoreFixtures.PlaintextMarkers(labels).ToList();
        foreach (var (id, bytes) in primary.Concat(secondary))
        {
            StoreFixtures.AssertNoPlaintext("object " + id, bytes, markers);
            Assert.Equal("new", Encoding.ASCII.GetString(bytes, 5, bytes[4]));
        }

        // 5. The service starts with "old" removed from its configuration and serves every proof byte for byte.
        using var withoutOld = Service(prefix, "new");
        using var reader = withoutOld.CreateClient();
        foreach (var id in alive)
        {
            Assert.Equal(records[id], await reader.GetByteArrayAsync($"/v1/proofs/{id}"));
        }

        foreach (var id in deleted)
        {
            using var response = await reader.GetAsync($"/v1/proofs/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    /// <summary>The service on the pair with these keys (the first active) and no others.</summary>
    private ProofStorageApiFactory Service(string prefix, params string[] keyIds)
    {
        var factory = S3TestHost.Create(prefix, servers.Primary, servers.Secondary, dataPath: Path.Combine(_workspace.Root, "service-" + string.Join('-', keyIds)));
        factory.Settings.Remove("ProofStorage:Encryption:Keys:k1");
        foreach (var (key, value) in TestKeys.EncryptionSettings(keyIds))
        {
            factory.Settings[key] = value;
        }

        return factory;
    }

    public void Dispose() => _workspace.Dispose();
}
