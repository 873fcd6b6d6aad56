using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ProofStorage.Core.Dedup;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Maintenance;

/// <summary>The scrub the service runs on a schedule: one instance at a time (the store-held lease), and what it reports.</summary>
public sealed class ScheduledScrubTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TwoInstancesSharingAStore_OnlyTheLeaseHolderScrubs_AndTheOtherTakesOverWhenItIsKilled()
    {
        var store = TestFolders.New("scheduled-scrub-store");
        var environment = new Dictionary<string, string>
        {
            ["ProofStorage__Storage__Primary__Type"] = "FileSystem",
            ["ProofStorage__Storage__Primary__Path"] = store,
            ["ProofStorage__Storage__Primary__FlushToDisk"] = "false",
            ["ProofStorage__Scrub__Enabled"] = "true",
            ["ProofStorage__Scrub__Interval"] = "00:00:00.3",
            ["ProofStorage__Scrub__DeepEvery"] = "1",
            ["ProofStorage__Scrub__LeaseDuration"] = "00:00:03",
        };
        await using var first = await ServiceProcess.StartAsync(TestFolders.New("scheduled-scrub-a"), environment);
        await using var second = await ServiceProcess.StartAsync(TestFolders.New("scheduled-scrub-b"), environment);
        for (var i = 0; i < 5; i++)
        {
            await S3TestHost.StoreAsync(first.Client, TestKeys.ImageHash($"scheduled-{i}"), $"{{\"n\":{i}}}");
        }

        // One of them takes the lease and keeps it, pass after pass; the other never scrubs meanwhile.
        (ServiceProcess Leader, ServiceProcess Follower)? roles = null;
        await Poll.UntilAsync(async () =>
        {
            var (a, b) = (await ScrubAsync(first), await ScrubAsync(second));
            Assert.False(a.GetProperty("leaseHeld").GetBoolean() && b.GetProperty("leaseHeld").GetBoolean(), "both instances hold the lease");
            roles = Scrubbed(a) ? (first, second) : Scrubbed(b) ? (second, first) : null;
            return roles is not null;
        }, Deadline, "one instance to finish three scrub passes, the last one over the 5 proofs");
        var (leader, follower) = roles!.Value;
        var followerStatus = await ScrubAsync(follower);
        Assert.Equal(0, Passes(followerStatus));
        Assert.False(followerStatus.GetProperty("leaseHeld").GetBoolean());

        // The leader dies without giving the lease up: once it expires, the other instance takes over.
        leader.Kill();
        await leader.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(async () =>
        {
            var status = await ScrubAsync(follower);
            return status.GetProperty("leaseHeld").GetBoolean() && Passes(status) >= 1;
        }, Deadline, "the surviving instance to take the lease over and finish a pass");
    }

    [Fact]
    public async Task ScheduledDeepScrub_FindsAProofWithNoGoodCopy_ReadinessDegraded_AndStatsNameIt()
    {
        using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Storage:Primary:FlushToDisk"] = "false";
        factory.Settings["ProofStorage:Scrub:Enabled"] = "true";
        factory.Settings["ProofStorage:Scrub:Interval"] = "00:00:00.2";
        factory.Settings["ProofStorage:Scrub:DeepEvery"] = "1";
        factory.Settings["ProofStorage:Scrub:LeaseDuration"] = "00:00:03";
        using var client = factory.CreateClient();
        var (rotten, _) = await S3TestHost.StoreAsync(client, TestKeys.ImageHash("rots"), "{\"n\":1}");
        await S3TestHost.StoreAsync(client, TestKeys.ImageHash("stays"), "{\"n\":2}");
        var file = Path.Combine(factory.DataPath, "proofs", "proofs", rotten[..2], rotten);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(file, bytes);

        await Poll.UntilAsync(async () =>
        {
            using var ready = await client.GetAsync("/health/ready");
            var health = await ready.Content.ReadFromJsonAsync<JsonElement>();
            return health.GetProperty("status").GetString() == "Degraded"
                && health.GetProperty("checks").GetProperty("scrub").GetProperty("status").GetString() == "Degraded";
        }, Deadline, "readiness to turn Degraded");
        var scrub = (await client.GetFromJsonAsync<JsonElement>("/v1/stats")).GetProperty("scrub");
        Assert.Equal(1, scrub.GetProperty("unrecoverable").GetInt64());
        Assert.Equal(DedupProtocol.ProofKey(rotten), Assert.Single(scrub.GetProperty("unrecoverableKeys").EnumerateArray()).GetString());
        Assert.True(scrub.GetProperty("leaseHeld").GetBoolean());
    }

    private static long Passes(JsonElement status) => status.GetProperty("passesCompleted").GetInt64();

    private static bool Scrubbed(JsonElement status) => Passes(status) >= 3 && status.GetProperty("lastPassKeys").GetInt64() == 5;

    private static async Task<JsonElement> ScrubAsync(ServiceProcess service) =>
        (await service.Client.GetFromJsonAsync<JsonElement>("/v1/stats")).GetProperty("scrub");
}
