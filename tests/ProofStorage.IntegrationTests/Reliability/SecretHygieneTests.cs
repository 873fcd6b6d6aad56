using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Reliability;

/// <summary>
/// The whole log of a run at Debug level holds no key, credential or proof payload. The credentials are in use, not
/// just configured: the service stores to a failover pair of S3 servers that each check signatures against their own
/// access key, and caches in a redis-server that requires a password.
/// </summary>
public sealed class SecretHygieneTests
{
    private const string PrimaryAccessKey = "AKIAPROOFSTORAGEPRIM7";
    private const string PrimarySecret = "s3-secret-9f1c2e7a4b6d8e0f1a3c5e7b9d0f2a4c";
    private const string SecondaryAccessKey = "AKIAPROOFSTORAGESEC07";
    private const string SecondarySecret = "s3-secret-0e2d4c6b8a1f3e5d7c9b0a2f4e6d8c1b";
    private const string RedisPassword = "redis-password-5b7d9f1a3c5e";
    private const string WrongApiKey = "psk_a-wrong-key-someone-tried-4e6a8c0e2b";
    private const string PayloadMarker = "payload-marker-7c3e9a1f5b";
    private const string MetadataMarker = "metadata-marker-2d4f6b8a0c";

    [Fact]
    public async Task AFullRunAtDebugLevel_LogsNoKeyCredentialOrPayload()
    {
        await using var primary = await S3Server.StartAsync(checkSignatures: true, credentials: (PrimaryAccessKey, PrimarySecret));
        await using var secondary = await S3Server.StartAsync(checkSignatures: true, credentials: (SecondaryAccessKey, SecondarySecret));
        await using var redis = await RedisServer.StartLocalAsync(password: RedisPassword);
        var prefix = S3TestHost.NewPrefix();
        var redisPrefix = "hygiene-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var configuration = new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Serilog:MinimumLevel:Override:Microsoft"] = "Debug",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Debug",
            ["Serilog:MinimumLevel:Override:ZiggyCreatures"] = "Debug",
            ["ProofStorage:Redis:Enabled"] = "true",
            ["ProofStorage:Redis:Configuration"] = redis.Configuration,
            ["ProofStorage:Redis:KeyPrefix"] = redisPrefix,
        };
        S3TestHost.Configure(configuration, "Primary", primary, "S3", prefix);
        S3TestHost.Configure(configuration, "Secondary", secondary, "S3", prefix);
        var environment = configuration.ToDictionary(e => e.Key.Replace(":", "__", StringComparison.Ordinal), e => e.Value!);
        environment["AWS_SECRET_ACCESS_KEY"] = PrimarySecret;

        var ids = new List<string>();
        string log, apiKey, encryptionKeyBase64;
        await using (var service = await ServiceProcess.StartAsync(environment: environment))
        {
            var client = service.Client;

            // Every credential is in use: Redis is connected (it refuses clients without the password) and both
            // servers are written to (they refuse requests not signed with their own secret).
            await Poll.UntilAsync(async () => await CheckAsync(client, "redis") == "Healthy", TimeSpan.FromSeconds(60), "Redis connected with its password");
            for (var i = 0; i < 5; i++)
            {
                using var stored = await client.PostAsync("/v1/proofs", Json(
                    $"{{\"imageHash\":\"{TestKeys.ImageHash($"hygiene-{i}")}\",\"proof\":{{\"claim\":\"{PayloadMarker}-{i}\"}},\"metadata\":{{\"note\":\"{MetadataMarker}\"}}}}"));
                Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
                ids.Add((await stored.Content.ReadFromJsonAsync<Dictionary<string, object>>())!["proofId"].ToString()!);
            }

            using var again = await client.PostAsync("/v1/proofs", Json($"{{\"imageHash\":\"{TestKeys.ImageHash("hygiene-0")}\",\"proof\":{{\"claim\":\"{PayloadMarker}\"}}}}"));
            using var batch = await client.PostAsync("/v1/proofs/batch", Json($"{{\"items\":[{{\"imageHash\":\"{TestKeys.ImageHash("hygiene-b")}\",\"proof\":\"{PayloadMarker}\"}},{{\"imageHash\":\"bad\",\"proof\":\"{PayloadMarker}\"}}]}}"));
            using var read = await client.GetAsync($"/v1/proofs/{ids[0]}");
            using var lookup = await client.PostAsJsonAsync("/v1/proofs/lookup", new { proofIds = ids });
            using var deleted = await client.DeleteAsync($"/v1/proofs/{ids[1]}");
            using var stats = await client.GetAsync("/v1/stats");
            using var malformed = await client.PostAsync("/v1/proofs", Json($"{{\"imageHash\":\"x\",\"proof\":\"{PayloadMarker}"));
            using var wrongKey = service.CreateClient(WrongApiKey);
            using var refused = await wrongKey.PostAsync("/v1/proofs", Json($"{{\"imageHash\":\"{TestKeys.ImageHash("refused")}\",\"proof\":\"{PayloadMarker}\"}}"));
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            Assert.Equal("Healthy", await CheckAsync(client, "storage"));

            // What the credentials were used for is there: a proof in both buckets, entries in Redis.
            await Poll.UntilAsync(async () => await HasObjectAsync(primary, $"{prefix}proofs/{ids[0]}") && await HasObjectAsync(secondary, $"{prefix}proofs/{ids[0]}"),
                TimeSpan.FromSeconds(60), "the first proof in both buckets");
            Assert.DoesNotContain("*0", await redis.CommandAsync($"KEYS {redisPrefix}*"), StringComparison.Ordinal);

            service.Terminate();
            Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            log = service.Output;
            (apiKey, encryptionKeyBase64) = (service.ApiKey, ServiceProcess.EncryptionKeyBase64);
        }

        // The log is real: it saw the stores and the refused request.
        Assert.Contains("Stored proof", log, StringComparison.Ordinal);
        Assert.Contains("/v1/proofs", log, StringComparison.Ordinal);

        var encryptionKey = Convert.FromBase64String(encryptionKeyBase64);
        string[] secrets =
        [
            encryptionKeyBase64,
            Convert.ToHexString(encryptionKey),
            Convert.ToHexStringLower(encryptionKey),
            apiKey,
            TestKeys.ApiKeyHash(apiKey)["sha256:".Length..],
            WrongApiKey,
            PrimarySecret,
            PrimaryAccessKey,
            SecondarySecret,
            SecondaryAccessKey,
            RedisPassword,
            PayloadMarker,
            MetadataMarker,
        ];
        foreach (var secret in secrets)
        {
            Assert.False(log.Contains(secret, StringComparison.OrdinalIgnoreCase),
                $"the log holds '{secret[..6]}…' at: {Around(log, secret)}");
        }
    }

    /// <summary>Whether the object exists, read with the server's own credentials (object-level: the servers check signatures).</summary>
    private static async Task<bool> HasObjectAsync(S3Server server, string key)
    {
        using var raw = S3TestHost.RawClient(server);
        try
        {
            using var found = await raw.GetObjectAsync(S3Server.Bucket, key);
            return true;
        }
        catch (Amazon.S3.AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>The status of one readiness check (<c>storage</c>, <c>redis</c>).</summary>
    private static async Task<string?> CheckAsync(HttpClient client, string check)
    {
        using var response = await client.GetAsync("/health/ready");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("checks").GetProperty(check).GetProperty("status").GetString();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Around(string log, string secret)
    {
        var at = log.IndexOf(secret, StringComparison.OrdinalIgnoreCase);
        return log.Substring(Math.Max(0, at - 200), Math.Min(400, log.Length - Math.Max(0, at - 200)));
    }
}
