using System.Net;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>The API over a single S3-protocol provider (S3 and the R2-configured client) on a real server.</summary>
public sealed class S3ProviderApiTests(S3ServerFixture servers) : IClassFixture<S3ServerFixture>
{
    [Theory]
    [InlineData("S3")]
    [InlineData("R2")]
    public async Task StoreGetByImageDelete_RoundTripsThroughTheBucket(string type)
    {
        var prefix = S3TestHost.NewPrefix();
        using var factory = S3TestHost.Create(prefix, servers.Primary, type: type);
        using var client = factory.CreateClient();
        var hash = TestKeys.ImageHash("round-trip-" + type);

        var (proofId, _) = await S3TestHost.StoreAsync(client, hash, "{\"sig\":\"round-trip\"}");

        using (var byId = await client.GetAsync($"/v1/proofs/{proofId}"))
        {
            Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
            Assert.Equal("round-trip", (await S3TestHost.ReadJsonAsync(byId)).GetProperty("proof").GetProperty("sig").GetString());
        }

        // A second host has an empty cache: this read really goes to the bucket.
        using (var other = S3TestHost.Create(prefix, servers.Primary, type: type))
        using (var otherClient = other.CreateClient())
        using (var byImage = await otherClient.GetAsync($"/v1/proofs/by-image/{hash}"))
        {
            Assert.Equal(HttpStatusCode.OK, byImage.StatusCode);
            Assert.Equal(proofId, (await S3TestHost.ReadJsonAsync(byImage)).GetProperty("proofId").GetString());
        }

        var stored = await S3TestHost.ReadBucketAsync(servers.Primary, prefix);
        Assert.Equal([$"{prefix}proofs/{proofId}"], stored.Keys);

        using (var delete = await client.DeleteAsync($"/v1/proofs/{proofId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using (var gone = await client.GetAsync($"/v1/proofs/{proofId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        Assert.Empty(await S3TestHost.ReadBucketAsync(servers.Primary, prefix));
    }

    [Fact]
    public async Task TwoHostsStoringTheSameImageConcurrently_OneObjectAndOneProofIdForEveryCaller()
    {
        var prefix = S3TestHost.NewPrefix();
        using var hostA = S3TestHost.Create(prefix, servers.Primary, servers.Secondary);
        using var hostB = S3TestHost.Create(prefix, servers.Primary, servers.Secondary);
        var clients = new[] { hostA.CreateClient(), hostB.CreateClient() };
        var hash = TestKeys.ImageHash("contended");

        var results = await Task.WhenAll(Enumerable.Range(0, 120).Select(i =>
            Task.Run(() => S3TestHost.StoreAsync(clients[i % 2], hash, $"{{\"caller\":{i}}}"))));

        Assert.Single(results.Select(r => r.ProofId).Distinct());
        Assert.Single(results.Select(r => r.CreatedAt).Distinct());
        var primary = await S3TestHost.ReadBucketAsync(servers.Primary, prefix);
        var secondary = await S3TestHost.ReadBucketAsync(servers.Secondary, prefix);
        Assert.Equal([$"{prefix}proofs/{results[0].ProofId}"], primary.Keys);
        Assert.Equal(primary.Values.Single(), secondary[$"{prefix}proofs/{results[0].ProofId}"]);

        // The race was real: several conditional creates reached the bucket, and it let exactly one through.
        var attempts = 0L;
        foreach (var client in clients)
        {
            using var stats = await client.GetAsync("/v1/stats");
            attempts += (await S3TestHost.ReadJsonAsync(stats)).GetProperty("storage").EnumerateArray()
                .Single(p => p.GetProperty("name").GetString() == "primary").GetProperty("puts").GetInt64();
            client.Dispose();
        }

        Console.WriteLine($"120 concurrent stores over 2 hosts: {attempts} conditional creates reached the primary, 1 object, 1 proofId");
        Assert.True(attempts > 1, $"only {attempts} create reached the bucket: the race did not happen");
    }
}
