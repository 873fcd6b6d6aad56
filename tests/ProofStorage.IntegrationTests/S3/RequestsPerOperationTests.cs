using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Core.Access;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>
/// The provider requests each API operation sends, counted on the wire against the real S3 server; they must equal
/// perf/capacity/requests.json, from which perf/capacity.py computes docs/capacity.md's request tables. A change to
/// the read or write path that changes a count fails here until the file (and with it the doc) is regenerated.
/// </summary>
public sealed class RequestsPerOperationTests(S3ServerFixture servers) : IClassFixture<S3ServerFixture>
{
    private static readonly string RequestsFile = Path.Combine(TestPaths.RepositoryRoot, "perf", "capacity", "requests.json");
    private static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web);
    private static readonly JsonSerializerOptions PrintOptions = new() { WriteIndented = true };

    [Fact]
    public async Task EveryOperationsProviderRequests_CountedOnTheWire_AreThoseTheCapacityTablesUse()
    {
        var prefix = S3TestHost.NewPrefix();
        var wire = new ConcurrentQueue<CapturedRequest>();
        var measured = new SortedDictionary<string, SortedDictionary<string, int>>(StringComparer.Ordinal);
        var hosts = new List<ProofStorageApiFactory>();
        ProofStorageApiFactory? tracked = null;
        HttpClient Host(bool accessTracking = false)
        {
            // A host of its own: an empty L1, as a read that lands on another instance (or after a restart) has.
            var factory = S3TestHost.Create(prefix, servers.Primary);
            if (accessTracking)
            {
                // Flushed only when the test says (the interval is the longest allowed), to the provider (no Redis).
                factory.Settings["ProofStorage:AccessTracking:Enabled"] = "true";
                factory.Settings["ProofStorage:AccessTracking:FlushInterval"] = "01:00:00";
                tracked = factory;
            }

            factory.ConfigureServices = services => services.AddSingleton<HttpClientFactory>(CapturingHandler.ClientFactory(wire));
            hosts.Add(factory);
            return factory.CreateClient();
        }

        async Task<T> Count<T>(string operation, Func<Task<T>> action, int per = 1)
        {
            wire.Clear();
            var result = await action();
            // Only this test's objects: a host's own start-up or health traffic does not name the key prefix.
            measured[operation] = new SortedDictionary<string, int>(wire.Where(r => r.Path.Contains("/" + prefix, StringComparison.Ordinal))
                .GroupBy(r => r.Method).ToDictionary(g => g.Key, g => g.Count() / per), StringComparer.Ordinal);
            return result;
        }

        try
        {
            var writer = Host();
            var image = TestKeys.ImageHash("requests-" + prefix);
            var (proofId, _) = await Count("store_new", () => S3TestHost.StoreAsync(writer, image, "{\"sig\":\"requests\"}"));
            await Count("store_duplicate_l1_hit", () => S3TestHost.StoreAsync(writer, image, "{\"sig\":\"again\"}"));
            await Count("read_l1_hit", () => Expect(writer, $"/v1/proofs/{proofId}", HttpStatusCode.OK));

            var cold = Host();
            await Count("read_cold", () => Expect(cold, $"/v1/proofs/{proofId}", HttpStatusCode.OK));
            await Count("read_manifest_l1_hit", () => Expect(cold, $"/v1/proofs/{proofId}/manifest", HttpStatusCode.OK));
            await Count("read_by_image_cold", () => Expect(Host(), $"/v1/proofs/by-image/{image}", HttpStatusCode.OK));
            var unknown = TestKeys.ImageHash("never-stored-" + prefix);
            await Count("read_missing", () => Expect(cold, $"/v1/proofs/by-image/{unknown}", HttpStatusCode.NotFound));
            await Count("read_missing_again", () => Expect(cold, $"/v1/proofs/by-image/{unknown}", HttpStatusCode.NotFound));
            await Count("store_duplicate_cold", () => S3TestHost.StoreAsync(Host(), image, "{\"sig\":\"elsewhere\"}"));

            const int batch = 10;
            var items = string.Join(",", Enumerable.Range(0, batch).Select(i => $"{{\"imageHash\":\"{TestKeys.ImageHash($"batch-{i}-{prefix}")}\",\"proof\":{{\"n\":{i}}}}}"));
            await Count("batch_new_per_item", () => Expect(writer, "/v1/proofs/batch", HttpStatusCode.OK, $"{{\"items\":[{items}]}}"), per: batch);
            // Access tracking without Redis: per flush, one count object per proof touched and the instance's ranking.
            var counting = Host(accessTracking: true);
            var (otherId, _) = await S3TestHost.StoreAsync(counting, TestKeys.ImageHash("requests-other-" + prefix), "{\"sig\":\"other\"}");
            await Expect(counting, $"/v1/proofs/{proofId}", HttpStatusCode.OK);
            var tracking = tracked!.Services.GetRequiredService<ProofAccessTracking>();
            await tracking.FlushAsync(CancellationToken.None); // the first flush also takes the instance's slot
            await Expect(counting, $"/v1/proofs/{proofId}", HttpStatusCode.OK);
            await Count("access_flush_one_proof_touched", async () => { await tracking.FlushAsync(CancellationToken.None); return true; });
            await Expect(counting, $"/v1/proofs/{proofId}", HttpStatusCode.OK);
            await Expect(counting, $"/v1/proofs/{otherId}", HttpStatusCode.OK);
            await Count("access_flush_two_proofs_touched", async () => { await tracking.FlushAsync(CancellationToken.None); return true; });

            await Count("delete", () => Delete(writer, proofId, HttpStatusCode.NoContent));
            var (goneId, _) = await S3TestHost.StoreAsync(writer, TestKeys.ImageHash("requests-delete-" + prefix), "{\"sig\":\"delete\"}");
            var elsewhere = Host();
            await Count("delete_cold", () => Delete(elsewhere, goneId, HttpStatusCode.NoContent));
            await Count("delete_missing", () => Delete(elsewhere, goneId, HttpStatusCode.NotFound));
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }

        var expected = JsonSerializer.Deserialize<RequestsFileShape>(await File.ReadAllTextAsync(RequestsFile), ReadOptions)!;
        var measuredJson = JsonSerializer.Serialize(measured, PrintOptions);
        Assert.True(Same(expected.Operations, measured),
            $"The provider requests per operation changed. Measured on the wire:\n{measuredJson}\nUpdate the \"operations\" of perf/capacity/requests.json, then run python3 perf/capacity.py.");
    }

    private static bool Same(Dictionary<string, Dictionary<string, int>> expected, SortedDictionary<string, SortedDictionary<string, int>> measured) =>
        expected.Count == measured.Count && expected.All(e => measured.TryGetValue(e.Key, out var m)
            && e.Value.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key, StringComparer.Ordinal).SequenceEqual(m));

    private static async Task<bool> Expect(HttpClient client, string path, HttpStatusCode status, string? postBody = null)
    {
        using var content = postBody is null ? null : new StringContent(postBody, Encoding.UTF8, "application/json");
        using var response = postBody is null ? await client.GetAsync(path) : await client.PostAsync(path, content);
        Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return true;
    }

    private static async Task<bool> Delete(HttpClient client, string proofId, HttpStatusCode status)
    {
        using var deleted = await client.DeleteAsync($"/v1/proofs/{proofId}");
        Assert.Equal(status, deleted.StatusCode);
        return true;
    }

    private sealed record RequestsFileShape(Dictionary<string, Dictionary<string, int>> Operations);
}
