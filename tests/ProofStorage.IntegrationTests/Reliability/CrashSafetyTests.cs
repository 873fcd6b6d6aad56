using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using ProofStorage.Testing;
using Xunit.Abstractions;

namespace ProofStorage.IntegrationTests.Reliability;

/// <summary>SIGKILL in the middle of a store load loses no acknowledged proof and exposes no half-written one.</summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigkillDuringStoreLoad_EveryAcknowledgedProofSurvivesIntact_AndNoPartialProofIsVisible()
    {
        var dataPath = TestFolders.New("crash");
        var acknowledged = new ConcurrentDictionary<string, (string ProofId, string Proof)>();
        var attempted = new ConcurrentDictionary<string, string>();

        await using (var service = await ServiceProcess.StartAsync(dataPath))
        {
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var label = $"crash-{worker}-{i}";
                    // Proofs of a few KB to 64 KB, so writes are in flight long enough to be cut.
                    var proof = $"{{\"claim\":\"{label}\",\"pad\":\"{new string((char)('a' + (i % 26)), 2048 * (1 + (i % 32)))}\"}}";
                    attempted[label] = proof;
                    try
                    {
                        using var content = new StringContent($"{{\"imageHash\":\"{TestKeys.ImageHash(label)}\",\"proof\":{proof}}}", Encoding.UTF8, "application/json");
                        using var response = await service.Client.PostAsync("/v1/proofs", content);
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                            acknowledged[label] = (body.RootElement.GetProperty("proofId").GetString()!, proof);
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                    {
                        return; // the server died under us: this store was never acknowledged
                    }
                }
            })).ToArray();

            // Kill once a fair number of stores were acknowledged, with the workers still sending.
            await Poll.UntilAsync(() => acknowledged.Count >= 300, TimeSpan.FromSeconds(120), () => $"300 acknowledged stores (got {acknowledged.Count})");
            service.Kill();
            Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        var unacknowledged = attempted.Keys.Except(acknowledged.Keys).ToList();

        await using var restarted = await ServiceProcess.StartAsync(dataPath);
        foreach (var (label, (proofId, proof)) in acknowledged)
        {
            using var response = await restarted.Client.GetAsync($"/v1/proofs/{proofId}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"acknowledged {label} ({proofId}) is {response.StatusCode} after the crash");
            AssertIntact(await response.Content.ReadAsStringAsync(), label, proof);
        }

        var storedUnacknowledged = 0;
        foreach (var label in unacknowledged)
        {
            using var response = await restarted.Client.GetAsync($"/v1/proofs/by-image/{TestKeys.ImageHash(label)}");
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"unacknowledged {label} is {response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                AssertIntact(await response.Content.ReadAsStringAsync(), label, attempted[label]);
                storedUnacknowledged++;
            }
        }

        // Every object the provider would list is a whole, authentic proof (temp files are hidden and never listed).
        var visible = Directory.EnumerateFiles(Path.Combine(dataPath, "proofs"), "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.')).ToList();
        Assert.True(visible.Count >= acknowledged.Count);
        foreach (var file in visible)
        {
            using var response = await restarted.Client.GetAsync($"/v1/proofs/{Path.GetFileName(file)}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"stored object {Path.GetFileName(file)} is {response.StatusCode}");
        }

        var hiddenTemp = Directory.EnumerateFiles(Path.Combine(dataPath, "proofs"), ".*.tmp", SearchOption.AllDirectories).Count();
        output.WriteLine($"acknowledged {acknowledged.Count} (all intact), unacknowledged {unacknowledged.Count} "
            + $"({storedUnacknowledged} complete, the rest 404), visible objects {visible.Count}, hidden temp files left {hiddenTemp}");
    }

    private static void AssertIntact(string recordJson, string label, string proof)
    {
        using var record = JsonDocument.Parse(recordJson);
        Assert.Equal(TestKeys.ImageHash(label), record.RootElement.GetProperty("imageHash").GetString());
        Assert.Equal(proof, record.RootElement.GetProperty("proof").GetRawText());
    }
}
