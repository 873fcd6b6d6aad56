using System.Net;
using ProofStorage.IntegrationTests.Caching;
using ProofStorage.Testing;
using StackExchange.Redis;
using static ProofStorage.IntegrationTests.C2pa.ManifestStoreApiTests;

namespace ProofStorage.IntegrationTests.C2pa;

/// <summary>
/// A manifest store stored raw goes through the same cache levels as every proof: two instances over one folder and one
/// real Redis; what one stores the other serves from the L2 (which holds only the sealed envelope), and what one deletes
/// the other stops finding by binding and by manifest id.
/// </summary>
[Collection(SharedRedisGroup.Name)]
public sealed class ManifestStoreCacheLevelsTests(SharedRedisFixture redis)
{
    [Fact]
    public async Task StoredOnA_ServedByBFromTheL2_WhichHoldsNoPlaintext_ThenDeletedOnA_GoneFromBsLookups()
    {
        await using var nodes = new RedisNodes(redis.Server.Endpoint);
        await nodes.WaitForRedisAsync();
        var label = Jumbf.NewLabel();
        var watermark = "MANIFEST-L2-WATERMARK"u8.ToArray();
        var bytes = Jumbf.ManifestStoreBytes(label, 0, (Watermark, watermark));
        var proofId = await StoreAsync(nodes.A, $"/v1/proofs?imageHash={TestKeys.ImageHash("l2-" + label)}", bytes);

        using var fromB = await nodes.B.GetAsync(ManifestPath(label));
        Assert.Equal(HttpStatusCode.OK, fromB.StatusCode);
        Assert.Equal(bytes, await fromB.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, nodes.Redis(1).Hits);

        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Endpoint))
        {
            var value = (byte[])(await connection.GetDatabase().HashGetAsync($"{nodes.KeyPrefix}v2:{proofId}", "data"))!;
            Assert.True(value.AsSpan().IndexOf("jumb"u8) < 0 && value.AsSpan().IndexOf(watermark) < 0 && value.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(label)) < 0,
                "the L2 value holds the sealed envelope only");
        }

        var query = $"/c2pa/v1/matches/byBinding?alg={Watermark}&value={Uri.EscapeDataString(Convert.ToBase64String(watermark))}";
        Assert.Contains(label, await nodes.B.GetStringAsync(query), StringComparison.Ordinal);
        using var deleted = await nodes.A.DeleteAsync(ManifestPath(label));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        // Listings are never cached, so B's next lookup by binding misses at once; B's fetch by manifest id re-checks the
        // proof, which the delete's backplane message takes out of B's memory (delivery is asynchronous: poll).
        Assert.Equal("{\"matches\":[]}", await nodes.B.GetStringAsync(query));
        await Poll.UntilAsync(async () =>
        {
            using var response = await nodes.B.GetAsync(ManifestPath(label));
            return response.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(30), "B answering 404 for the deleted manifest id");
    }
}
