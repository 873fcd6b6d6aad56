using System.Text.Json;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Storage;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests.Maintenance;

/// <summary>The scrub against a failover pair on the two real local S3 servers.</summary>
public sealed class ScrubS3PairTests(S3ServerFixture servers) : IClassFixture<S3ServerFixture>, IDisposable
{
    private readonly MigrationWorkspace _workspace = new("data");

    [Fact]
    public async Task DeepScrub_RestoresMissingPrimary_RepairsRottenSecondary_AndReportsKeyCorruptOnBoth_WithoutTouchingIt()
    {
        var prefix = S3TestHost.NewPrefix();
        _workspace.UsePair(StoreFixtures.S3(servers.Primary, prefix), StoreFixtures.S3(servers.Secondary, prefix));
        string[] labels = ["missing-on-primary", "rotten-on-secondary", "rotten-on-both", "healthy-1", "healthy-2"];
        var ids = await StoreFixtures.StoreAsync(_workspace.ConfigPath, labels);
        var original = StoreFixtures.ObjectFiles(servers.Primary, prefix);
        Assert.Equal(original, StoreFixtures.ObjectFiles(servers.Secondary, prefix));

        string Key(string label) => prefix + DedupProtocol.ProofKey(ids[label]);
        StoreFixtures.DeleteBehindTheBack(servers.Primary, Key("missing-on-primary"));
        StoreFixtures.FlipByte(servers.Secondary.ObjectFile(Key("rotten-on-secondary")));
        StoreFixtures.FlipByte(servers.Primary.ObjectFile(Key("rotten-on-both")));
        StoreFixtures.FlipByte(servers.Secondary.ObjectFile(Key("rotten-on-both")));
        var rottenPrimary = File.ReadAllBytes(servers.Primary.ObjectFile(Key("rotten-on-both")));
        var rottenSecondary = File.ReadAllBytes(servers.Secondary.ObjectFile(Key("rotten-on-both")));

        var (exitCode, output) = await _workspace.RunCommandAsync(["scrub"], "--deep");

        Assert.True(exitCode == 1, output);
        var report = _workspace.ReadReport();
        var findings = report.GetProperty("findings").EnumerateArray()
            .ToDictionary(f => f.GetProperty("key").GetString()!, f => f.GetProperty("kind").GetString()!);
        Assert.Equal("repaired", findings[DedupProtocol.ProofKey(ids["missing-on-primary"])]);
        Assert.Equal("repaired", findings[DedupProtocol.ProofKey(ids["rotten-on-secondary"])]);
        Assert.Equal("unrecoverable", findings[DedupProtocol.ProofKey(ids["rotten-on-both"])]);
        Assert.Equal(3, findings.Count);
        Assert.Equal(1, report.GetProperty("counts").GetProperty("unrecoverable").GetInt64());

        // Byte for byte: the repaired copies are the original envelopes; the unrecoverable key is left exactly as it was.
        var primary = StoreFixtures.ObjectFiles(servers.Primary, prefix);
        var secondary = StoreFixtures.ObjectFiles(servers.Secondary, prefix);
        foreach (var label in labels.Where(l => l != "rotten-on-both"))
        {
            Assert.Equal(original[ids[label]], primary[ids[label]]);
            Assert.Equal(original[ids[label]], secondary[ids[label]]);
        }

        Assert.Equal(rottenPrimary, primary[ids["rotten-on-both"]]);
        Assert.Equal(rottenSecondary, secondary[ids["rotten-on-both"]]);

        // A third party's client sees the same: every proof listed on both servers, the restored one readable.
        var expected = new SortedSet<string>(labels.Select(Key), StringComparer.Ordinal);
        Assert.Equal(expected, await StoreFixtures.AwsListAsync(servers.Primary, prefix + DedupProtocol.ProofPrefix));
        Assert.Equal(expected, await StoreFixtures.AwsListAsync(servers.Secondary, prefix + DedupProtocol.ProofPrefix));
        var fetched = Path.Combine(_workspace.Root, "restored.bin");
        await StoreFixtures.AwsAsync(servers.Primary, "s3api", "get-object", "--bucket", S3Server.Bucket, "--key", Key("missing-on-primary"), fetched);
        Assert.Equal(original[ids["missing-on-primary"]], File.ReadAllBytes(fetched));

        // No plaintext anywhere: the buckets, the checkpoint and the report.
        var markers = StoreFixtures.PlaintextMarkers(labels).ToList();
        foreach (var (id, bytes) in primary.Concat(secondary))
        {
            StoreFixtures.AssertNoPlaintext("object " + id, bytes, markers);
        }

        StoreFixtures.AssertNoPlaintext("the report", File.ReadAllBytes(_workspace.Report), markers);
        StoreFixtures.AssertNoPlaintext("the checkpoint", File.ReadAllBytes(_workspace.Checkpoint), markers);

        // A second pass finds only the unrecoverable key, and changes nothing.
        var (again, againOutput) = await _workspace.RunCommandAsync(["scrub"], "--deep");
        Assert.True(again == 1, againOutput);
        Assert.Single(_workspace.ReadReport().GetProperty("findings").EnumerateArray());
        Assert.Equal(primary, StoreFixtures.ObjectFiles(servers.Primary, prefix));
    }

    [Fact]
    public async Task ListingPass_AfterTheReplicationLogWasLostWhileThePrimaryWasDown_LeavesBothHoldingEveryAcknowledgedProof_AndNoDeletedOne()
    {
        await using var primaryServer = await S3Server.StartAsync();
        var prefix = S3TestHost.NewPrefix();
        _workspace.UsePair(StoreFixtures.S3(primaryServer, prefix, fast: true), StoreFixtures.S3(servers.Secondary, prefix, fast: true));
        var before = await StoreFixtures.StoreAsync(_workspace.ConfigPath, Enumerable.Range(0, 6).Select(i => $"before-{i}"));

        // The primary goes down: stores are acknowledged by the secondary and logged for the primary; deletes happen
        // on the secondary, with a pending delete for the primary in the log.
        await primaryServer.KillAsync();
        var during = await StoreFixtures.StoreAsync(_workspace.ConfigPath, Enumerable.Range(0, 4).Select(i => $"during-{i}"));
        var deleted = new[] { before["before-0"], before["before-1"] };
        using (var host = Hosting.MigrationHost.Build([_workspace.ConfigPath], [], [], Microsoft.Extensions.Logging.LogLevel.Warning))
        {
            await host.StartAsync();
            var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Core.StorageManager>(host.Services);
            foreach (var id in deleted)
            {
                Assert.NotNull(await store.DeleteAsync(id, CancellationToken.None));
            }

            await host.StopAsync();
        }

        // The instance's disk is lost with its replication log; the primary comes back with what it had.
        var log = Path.Combine(_workspace.DataPath, "replication");
        Assert.NotEmpty(Directory.EnumerateFiles(log, "*.entry"));
        Directory.Delete(log, recursive: true);
        await primaryServer.RestartAsync();

        var (exitCode, output) = await _workspace.RunCommandAsync(["scrub"]);

        Assert.True(exitCode == 0, output);
        var acknowledged = before.Values.Except(deleted).Concat(during.Values).Order(StringComparer.Ordinal).ToList();
        var primary = StoreFixtures.ObjectFiles(primaryServer, prefix);
        var secondary = StoreFixtures.ObjectFiles(servers.Secondary, prefix);
        Assert.Equal(acknowledged, primary.Keys);
        Assert.Equal(acknowledged, secondary.Keys);
        foreach (var id in acknowledged)
        {
            Assert.Equal(secondary[id], primary[id]);
        }

        var counts = _workspace.ReadReport().GetProperty("counts");
        Assert.Equal(during.Count, counts.GetProperty("repaired").GetInt64());
        Assert.Equal(deleted.Length, counts.GetProperty("deletes.finished").GetInt64());
    }

    public void Dispose() => _workspace.Dispose();
}
