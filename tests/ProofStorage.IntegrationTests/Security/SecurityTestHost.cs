using System.Net.Http.Json;
using System.Text;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Security;

/// <summary>Keys with one scope each, and small request helpers shared by the security tests.</summary>
internal static class SecurityTestHost
{
    public const string ReaderKey = "psk_reader-only-key-0123456789abcdef";
    public const string WriterKey = "psk_writer-only-key-0123456789abcdef";
    public const string DeleterKey = "psk_deleter-only-key-0123456789abcde";
    public const string AdminKey = "psk_admin-only-key-0123456789abcdefg";

    /// <summary>A factory whose configuration also holds the four single-scope keys.</summary>
    public static ProofStorageApiFactory Create(string environment = "Testing", Action<Dictionary<string, string?>>? configure = null)
    {
        var factory = new ProofStorageApiFactory(environment: environment);
        AddKey(factory.Settings, "reader", ReaderKey, "proofs:read");
        AddKey(factory.Settings, "writer", WriterKey, "proofs:write");
        AddKey(factory.Settings, "deleter", DeleterKey, "proofs:delete");
        AddKey(factory.Settings, "ops", AdminKey, "admin");
        configure?.Invoke(factory.Settings);
        return factory;
    }

    public static void AddKey(Dictionary<string, string?> settings, string name, string key, params string[] scopes)
    {
        settings[$"ProofStorage:Auth:Keys:{name}:Hash"] = TestKeys.ApiKeyHash(key);
        for (var i = 0; i < scopes.Length; i++)
        {
            settings[$"ProofStorage:Auth:Keys:{name}:Scopes:{i}"] = scopes[i];
        }
    }

    /// <summary>Removes every configured API key (to test start-up without keys).</summary>
    public static void RemoveKeys(Dictionary<string, string?> settings)
    {
        foreach (var key in settings.Keys.Where(k => k.StartsWith("ProofStorage:Auth:Keys:", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }
    }

    public static StringContent StoreBody(string label) => new(
        $$$"""{"imageHash":"{{{TestKeys.ImageHash(label)}}}","proof":{"claim":"{{{label}}}","signature":"c2lnbmF0dXJl"}}""",
        Encoding.UTF8, "application/json");

    public static async Task<string> StoreAsync(HttpClient client, string label)
    {
        using var response = await client.PostAsync("/v1/proofs", StoreBody(label));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        return body!["proofId"].ToString()!;
    }

    /// <summary>Files under the data folder other than the development/health leftovers: the stored objects.</summary>
    public static IReadOnlyList<string> StoredFiles(string dataPath) =>
        Directory.Exists(dataPath)
            ? [.. Directory.EnumerateFiles(dataPath, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetFileName(f).StartsWith(".health", StringComparison.Ordinal))]
            : [];
}
