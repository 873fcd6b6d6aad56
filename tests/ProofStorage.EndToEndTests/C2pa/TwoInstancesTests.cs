using System.Net;
using ProofStorage.Testing;
using static ProofStorage.EndToEndTests.C2pa.RemoteManifestTests;

namespace ProofStorage.EndToEndTests.C2pa;

/// <summary>
/// Two service processes on one store (the filesystem provider on one folder, as replicas on a shared volume; no Redis):
/// the soft-binding index lives in the store's own key space, so stores racing on one binding value from both instances
/// all land, each instance finds every one, and a delete on one instance is gone from the other's matches.
/// </summary>
public sealed class TwoInstancesTests : IAsyncLifetime
{
    private const string Watermark = "com.imatag.lamark.v1";
    private const int Stores = 12;
    private ServiceProcess _a = null!;
    private ServiceProcess _b = null!;

    public async Task InitializeAsync()
    {
        var shared = TestFolders.New("e2e-two-instances");
        var environment = new Dictionary<string, string> { ["ProofStorage__RateLimit__Enabled"] = "false" };
        _a = await ServiceProcess.StartAsync(shared, environment);
        _b = await ServiceProcess.StartAsync(shared, environment);
    }

    public async Task DisposeAsync()
    {
        foreach (var service in new[] { _a, _b })
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task StoresRacingOnOneBindingValue_FromBothInstances_AreAllFound_AndADeleteIsGoneFromEveryInstancesMatches()
    {
        using var a = _a.CreateClient(_a.ApiKey);
        using var b = _b.CreateClient(_b.ApiKey);
        var value = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        var labels = Enumerable.Range(0, Stores).Select(_ => Jumbf.NewLabel()).ToList();

        // Every manifest stored through both instances at once: 2 x 12 requests racing on one binding value, and each pair on
        // one image (so on one proof id and the same index objects). Create-if-absent arbitrates: per pair one 201, one 200.
        using var start = new SemaphoreSlim(0);
        var stores = labels.SelectMany(label => new[] { a, b }.Select(client => Task.Run(async () =>
        {
            await start.WaitAsync();
            using var response = await PostAsync(client,
                $"/v1/proofs?imageHash={TestKeys.ImageHash("race-" + label)}&softBinding={Watermark}:{Uri.EscapeDataString(value)}",
                Jumbf.ManifestStoreBytes(label));
            return (Label: label, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }))).ToList();
        start.Release(stores.Count);
        var results = await Task.WhenAll(stores);
        Assert.All(results.GroupBy(r => r.Label), pair =>
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Created], pair.Select(r => r.StatusCode).Order()));

        var query = $"/c2pa/v1/matches/byBinding?alg={Watermark}&value={Uri.EscapeDataString(value)}&maxResults=100";
        Assert.Equal(labels.Order(StringComparer.Ordinal), await MatchesAsync(a, query));
        Assert.Equal(labels.Order(StringComparer.Ordinal), await MatchesAsync(b, query));

        // Delete one through A. A lookup lists the value's index folder on every call (nothing caches a listing), and the delete
        // removed the proof's index objects before it answered: B's very next lookup no longer names it, without waiting.
        // (An instance can only briefly serve a stale match while a delete is in flight: between the proof's removal and its
        // index objects', a lookup that still lists the object reads the proof from its own memory cache, if it holds it.)
        var gone = labels[3];
        using (var deleted = await a.DeleteAsync($"/c2pa/v1/manifests/{gone}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var remaining = labels.Where(l => l != gone).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(remaining, await MatchesAsync(b, query));
        Assert.Equal(remaining, await MatchesAsync(a, query));
        using var fetched = await a.GetAsync($"/c2pa/v1/manifests/{gone}");
        Assert.Equal(HttpStatusCode.NotFound, fetched.StatusCode);
    }

    private static async Task<List<string>> MatchesAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync(query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await JsonAsync(response)).GetProperty("matches").EnumerateArray()
            .Select(m => m.GetProperty("manifestId").GetString()!).Order(StringComparer.Ordinal)];
    }
}
