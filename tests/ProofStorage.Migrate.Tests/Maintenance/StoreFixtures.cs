using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProofStorage.Core;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Migrate.Hosting;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests.Maintenance;

/// <summary>Stores proofs through the real store of a workspace's configuration, and reads back what the backends hold raw.</summary>
internal static class StoreFixtures
{
    /// <summary>A provider section on a local S3 server (the API tests' settings); <paramref name="fast"/> for tests that kill a server.</summary>
    public static JsonObject S3(S3Server server, string prefix, bool fast = false)
    {
        var settings = new Dictionary<string, string?>();
        S3TestHost.Configure(settings, "Primary", server, "S3", prefix, fast);
        var section = new JsonObject();
        foreach (var (key, value) in settings)
        {
            section[key["ProofStorage:Storage:Primary:".Length..]] = value;
        }

        return section;
    }

    /// <summary>The proof JSON of the i-th test proof: distinctive text, so a raw byte search finds any plaintext copy.</summary>
    public static byte[] ProofJson(string label) =>
        Encoding.UTF8.GetBytes($"{{\"claim\":\"PLAINTEXT-MARKER-{label}\",\"signature\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(label + "-sig"))}\"}}");

    /// <summary>Stores one proof per label through the store configured by <paramref name="configPath"/>; returns label → proof id.</summary>
    public static async Task<Dictionary<string, string>> StoreAsync(string configPath, IEnumerable<string> labels)
    {
        using var host = MigrationHost.Build([configPath], [], [], LogLevel.Warning);
        await host.StartAsync();
        var store = host.Services.GetRequiredService<StorageManager>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var result = await store.StoreAsync(new StoreProofCommand(ImageHash.Parse(TestKeys.ImageHash(label)), ProofJson(label), null), CancellationToken.None);
            ids[label] = result.Document.ProofId;
        }

        await host.StopAsync();
        return ids;
    }

    /// <summary>The bytes of every object of a local S3 server under a key prefix, read from its data folder (corrupt ones too).</summary>
    public static SortedDictionary<string, byte[]> ObjectFiles(S3Server server, string prefix, string folder = DedupProtocol.ProofPrefix)
    {
        var root = Path.Combine(server.DataDirectory!, S3Server.Bucket);
        var objects = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var under = Path.Combine(root, (prefix + folder).Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(under))
        {
            return objects;
        }

        foreach (var file in Directory.EnumerateFiles(under, "*._S3rver_object"))
        {
            objects[Path.GetFileName(file)[..^"._S3rver_object".Length]] = File.ReadAllBytes(file);
        }

        return objects;
    }

    /// <summary>Removes an object from a local S3 server's disk behind everyone's back (bytes, ETag and metadata files).</summary>
    public static void DeleteBehindTheBack(S3Server server, string objectKey)
    {
        var file = server.ObjectFile(objectKey);
        foreach (var path in new[] { file, file + ".md5", Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileName(objectKey) + "._S3rver_metadata.json") })
        {
            File.Delete(path);
        }
    }

    /// <summary>Flips one byte in the middle of an object's file: the server keeps serving it with its old ETag, as bit rot would.</summary>
    public static void FlipByte(string file)
    {
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(file, bytes);
    }

    /// <summary>Fails when any byte sequence of <paramref name="markers"/> occurs in <paramref name="content"/>.</summary>
    public static void AssertNoPlaintext(string where, ReadOnlySpan<byte> content, IEnumerable<byte[]> markers)
    {
        foreach (var marker in markers)
        {
            Assert.True(content.IndexOf(marker) < 0, $"{where} holds plaintext ({Encoding.UTF8.GetString(marker)})");
        }
    }

    /// <summary>What makes a stored record recognisable in plaintext: its field names, and each proof's marker.</summary>
    public static IEnumerable<byte[]> PlaintextMarkers(IEnumerable<string> labels) =>
        new[] { "\"imageHash\""u8.ToArray(), "\"proofId\""u8.ToArray(), "PLAINTEXT-MARKER"u8.ToArray() }.Concat(labels.Select(ProofJson));

    /// <summary>Runs the AWS CLI (a third party's S3 client) against a local server; returns its stdout.</summary>
    public static async Task<string> AwsAsync(S3Server server, params string[] args)
    {
        const string aws = "/usr/bin/aws";
        Assert.True(File.Exists(aws), "the AWS CLI is missing: run scripts/install-test-deps.sh (Debian package awscli)");
        var start = new ProcessStartInfo(aws) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args.Concat(["--endpoint-url", server.Endpoint, "--output", "json"]))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = server.AccessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = server.SecretAccessKey;
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_REQUEST_CHECKSUM_CALCULATION"] = "when_required";
        start.Environment["AWS_RESPONSE_CHECKSUM_VALIDATION"] = "when_required";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"aws {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }

    /// <summary>The keys the AWS CLI lists under a prefix.</summary>
    public static async Task<SortedSet<string>> AwsListAsync(S3Server server, string prefix)
    {
        var json = await AwsAsync(server, "s3api", "list-objects-v2", "--bucket", S3Server.Bucket, "--prefix", prefix);
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        if (json.Trim().Length == 0)
        {
            return keys;
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.TryGetProperty("Contents", out var contents))
        {
            foreach (var entry in contents.EnumerateArray())
            {
                keys.Add(entry.GetProperty("Key").GetString()!);
            }
        }

        return keys;
    }
}
