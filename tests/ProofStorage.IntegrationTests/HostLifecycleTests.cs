using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Options;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests;

/// <summary>Start-up rules, key handling and persistence across host restarts.</summary>
public sealed class HostLifecycleTests
{
    [Fact]
    public async Task Restart_OverTheSameDataFolder_ServesEveryProofStoredBefore()
    {
        string dataPath;
        var stored = new Dictionary<string, string>();
        using (var first = new ProofStorageApiFactory())
        {
            dataPath = first.DataPath;
            using var client = first.CreateClient();
            for (var i = 0; i < 20; i++)
            {
                var proof = $"{{\"n\": {i}, \"text\": \"é{i}\"}}";
                using var response = await client.PostAsync("/v1/proofs", Body(TestKeys.ImageHash("restart" + i), proof));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                stored[(await response.Content.ReadFromJsonAsync<StoreBody>())!.ProofId] = proof;
            }
        }

        using var second = new ProofStorageApiFactory(dataPath);
        using var secondClient = second.CreateClient();
        foreach (var (proofId, proof) in stored)
        {
            var text = await secondClient.GetStringAsync($"/v1/proofs/{proofId}");
            Assert.Contains("\"proof\":" + proof + "}", text, StringComparison.Ordinal);
        }

        using var duplicate = await secondClient.PostAsync("/v1/proofs", Body(TestKeys.ImageHash("restart0"), "{}"));
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
    }

    [Fact]
    public async Task Restart_AfterKeyRotation_OldProofsStayReadableAndNewOnesUseTheNewKey()
    {
        string dataPath;
        string oldId;
        using (var first = new ProofStorageApiFactory())
        {
            dataPath = first.DataPath;
            using var client = first.CreateClient();
            using var response = await client.PostAsync("/v1/proofs", Body(TestKeys.ImageHash("rotate-old"), "[\"old\"]"));
            oldId = (await response.Content.ReadFromJsonAsync<StoreBody>())!.ProofId;
        }

        using var rotated = new ProofStorageApiFactory(dataPath);
        foreach (var (key, value) in TestKeys.EncryptionSettings("k2", "k1"))
        {
            rotated.Settings[key] = value;
        }

        using var rotatedClient = rotated.CreateClient();
        Assert.Contains("[\"old\"]", await rotatedClient.GetStringAsync($"/v1/proofs/{oldId}"), StringComparison.Ordinal);
        using var fresh = await rotatedClient.PostAsync("/v1/proofs", Body(TestKeys.ImageHash("rotate-new"), "[\"new\"]"));
        var newId = (await fresh.Content.ReadFromJsonAsync<StoreBody>())!.ProofId;
        var file = Directory.GetFiles(Path.Combine(dataPath, "proofs"), newId, SearchOption.AllDirectories).Single();
        Assert.Equal("k2", Encoding.ASCII.GetString(File.ReadAllBytes(file).AsSpan(5, 2)));
    }

    [Fact]
    public async Task Development_WithoutKeys_GeneratesOneKeyOnceAndReusesIt()
    {
        string dataPath;
        string proofId;
        using (var first = new ProofStorageApiFactory(environment: "Development"))
        {
            RemoveKeys(first);
            dataPath = first.DataPath;
            using var client = first.CreateClient();
            using var response = await client.PostAsync("/v1/proofs", Body(TestKeys.ImageHash("dev"), "{\"dev\":true}"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            proofId = (await response.Content.ReadFromJsonAsync<StoreBody>())!.ProofId;
        }

        var keyFile = Path.Combine(dataPath, "keys", "development-key.json");
        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        var keyBefore = await File.ReadAllTextAsync(keyFile);

        using var second = new ProofStorageApiFactory(dataPath, environment: "Development");
        RemoveKeys(second);
        using var secondClient = second.CreateClient();
        Assert.Contains("{\"dev\":true}", await secondClient.GetStringAsync($"/v1/proofs/{proofId}"), StringComparison.Ordinal);
        Assert.Equal(keyBefore, await File.ReadAllTextAsync(keyFile));
    }

    [Fact]
    public void Production_WithoutKeys_RefusesToStartWithAClearMessage()
    {
        using var factory = new ProofStorageApiFactory(environment: "Production");
        RemoveKeys(factory);

        var validation = factory.ValidateStartup();

        Assert.NotNull(validation);
        Assert.Contains("No encryption key is configured", validation.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(factory.DataPath, "keys")));
    }

    [Fact]
    public void Production_WithAnActiveKeyThatIsNotConfigured_RefusesToStart()
    {
        using var factory = new ProofStorageApiFactory(environment: "Production");
        factory.Settings["ProofStorage:Encryption:ActiveKeyId"] = "nope";

        var validation = factory.ValidateStartup();

        Assert.Contains("ActiveKeyId 'nope'", Assert.IsType<OptionsValidationException>(validation).Message, StringComparison.Ordinal);
    }

    private static void RemoveKeys(ProofStorageApiFactory factory)
    {
        foreach (var key in factory.Settings.Keys.Where(k => k.StartsWith("ProofStorage:Encryption", StringComparison.Ordinal)).ToList())
        {
            factory.Settings.Remove(key);
        }
    }

    private static StringContent Body(string hash, string proof) =>
        new($"{{\"imageHash\":\"{hash}\",\"proof\":{proof}}}", Encoding.UTF8, "application/json");

    private sealed record StoreBody(string ProofId);
}
