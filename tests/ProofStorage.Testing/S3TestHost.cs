using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit;

namespace ProofStorage.Testing;

/// <summary>Configures hosts against real S3 servers and reads buckets raw (independently of the provider under test).</summary>
public static class S3TestHost
{
    /// <summary>
    /// A host whose Primary (and optional Secondary) point at the servers: one SDK retry; breakers open after 2
    /// failures for 0.5 s; replication every 200 ms.
    /// </summary>
    public static ProofStorageApiFactory Create(string keyPrefix, S3Server primary, S3Server? secondary = null, string type = "S3",
        string secondaryType = "S3", string? dataPath = null, bool fastTimeouts = false)
    {
        var factory = new ProofStorageApiFactory(dataPath);
        Configure(factory.Settings, "Primary", primary, type, keyPrefix, fastTimeouts);
        if (secondary is not null)
        {
            Configure(factory.Settings, "Secondary", secondary, secondaryType, keyPrefix, fastTimeouts);
            factory.Settings["ProofStorage:Storage:Failover:BreakDuration"] = "00:00:00.5";
            factory.Settings["ProofStorage:Storage:Failover:MinimumThroughput"] = "2";
            factory.Settings["ProofStorage:Storage:Failover:SamplingDuration"] = "00:00:05";
            factory.Settings["ProofStorage:Storage:Failover:ReplicationInterval"] = "00:00:00.2";
        }

        return factory;
    }

    /// <summary>
    /// Points a role at a server. <c>fastTimeouts</c>: 750 ms per attempt and 2 s per call, for tests about a server
    /// that stops answering; otherwise 30 s / 60 s (under the test client's 100 s): tests about correctness must not
    /// take a local server starved of CPU on a busy machine (load average 50+ seen) for a dead one.
    /// </summary>
    public static void Configure(Dictionary<string, string?> settings, string role, S3Server server, string type, string keyPrefix, bool fastTimeouts = false)
    {
        var p = $"ProofStorage:Storage:{role}:";
        settings[p + "Type"] = type;
        settings[p + "ServiceUrl"] = server.Endpoint;
        settings[p + "Bucket"] = S3Server.Bucket;
        settings[p + "AccessKeyId"] = server.AccessKeyId;
        settings[p + "SecretAccessKey"] = server.SecretAccessKey;
        settings[p + "KeyPrefix"] = keyPrefix;
        settings[p + "Timeout"] = fastTimeouts ? "00:00:00.75" : "00:00:30";
        settings[p + "OperationTimeout"] = fastTimeouts ? "00:00:02" : "00:01:00";
        settings[p + "MaxErrorRetry"] = "1";
    }

    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12] + "/";

    public static async Task<(string ProofId, string CreatedAt)> StoreAsync(HttpClient client, string imageHash, string proofJson)
    {
        using var content = new StringContent($"{{\"imageHash\":\"{imageHash}\",\"proof\":{proofJson}}}", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/proofs", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"store failed: {(int)response.StatusCode} {text}");
        using var body = JsonDocument.Parse(text);
        return (body.RootElement.GetProperty("proofId").GetString()!, body.RootElement.GetProperty("createdAt").GetString()!);
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>())!;

    /// <summary>A plain SDK client on the server, configured like the AWS CLI would be.</summary>
    public static AmazonS3Client RawClient(S3Server server) => new(new BasicAWSCredentials(server.AccessKeyId, server.SecretAccessKey), new AmazonS3Config
    {
        ServiceURL = server.Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        Timeout = TimeSpan.FromSeconds(30),
    });

    /// <summary>Every object under the prefix, key → bytes, read straight from the bucket.</summary>
    public static async Task<Dictionary<string, byte[]>> ReadBucketAsync(S3Server server, string prefix)
    {
        using var client = RawClient(server);
        var objects = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var request = new ListObjectsV2Request { BucketName = S3Server.Bucket, Prefix = prefix };
        while (true)
        {
            var page = await client.ListObjectsV2Async(request);
            foreach (var entry in page.S3Objects ?? [])
            {
                using var get = await client.GetObjectAsync(S3Server.Bucket, entry.Key);
                using var buffer = new MemoryStream();
                await get.ResponseStream.CopyToAsync(buffer);
                objects[entry.Key] = buffer.ToArray();
            }

            if (page.IsTruncated != true)
            {
                return objects;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }
}
