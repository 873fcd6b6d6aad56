using System.Net;
using System.Net.Http.Json;
using System.Text;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Reliability;

/// <summary>The whole log of a run at Debug level holds no key, credential or proof payload.</summary>
public sealed class SecretHygieneTests
{
    // Credentials as the S3 and Redis layers are configured (inert on a build without them: they still pass
    // through configuration, which is what could leak them into a log).
    private const string S3Secret = "s3-secret-9f1c2e7a4b6d8e0f1a3c5e7b9d0f2a4c";
    private const string S3AccessKey = "AKIAPROOFSTORAGETEST7";
    private const string RedisPassword = "redis-password-5b7d9f1a3c5e";
    private const string WrongApiKey = "psk_a-wrong-key-someone-tried-4e6a8c0e2b";
    private const string PayloadMarker = "payload-marker-7c3e9a1f5b";
    private const string MetadataMarker = "metadata-marker-2d4f6b8a0c";

    [Fact]
    public async Task AFullRunAtDebugLevel_LogsNoKeyCredentialOrPayload()
    {
        var dataPath = TestFolders.New("hygiene");
        var settings = new Dictionary<string, string>
        {
            ["Serilog__MinimumLevel__Default"] = "Debug",
            ["Serilog__MinimumLevel__Override__Microsoft"] = "Debug",
            ["Serilog__MinimumLevel__Override__Microsoft.AspNetCore"] = "Debug",
            ["Serilog__MinimumLevel__Override__ZiggyCreatures"] = "Debug",
            ["ProofStorage__Storage__Replica__Type"] = "S3",
            ["ProofStorage__Storage__Replica__AccessKeyId"] = S3AccessKey,
            ["ProofStorage__Storage__Replica__SecretAccessKey"] = S3Secret,
            ["ProofStorage__Cache__Redis__Configuration"] = $"127.0.0.1:1,password={RedisPassword}",
            ["AWS_SECRET_ACCESS_KEY"] = S3Secret,
        };

        string log, apiKey, encryptionKeyBase64;
        await using (var service = await ServiceProcess.StartAsync(dataPath, settings))
        {
            var client = service.Client;
            var ids = new List<string>();
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
            using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };
            anonymous.DefaultRequestHeaders.Add("X-Api-Key", WrongApiKey);
            using var refused = await anonymous.PostAsync("/v1/proofs", Json($"{{\"imageHash\":\"{TestKeys.ImageHash("refused")}\",\"proof\":\"{PayloadMarker}\"}}"));
            using var ready = await anonymous.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

            service.Terminate();
            Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(20)));
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
            S3Secret,
            S3AccessKey,
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

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Around(string log, string secret)
    {
        var at = log.IndexOf(secret, StringComparison.OrdinalIgnoreCase);
        return log.Substring(Math.Max(0, at - 200), Math.Min(400, log.Length - Math.Max(0, at - 200)));
    }
}
