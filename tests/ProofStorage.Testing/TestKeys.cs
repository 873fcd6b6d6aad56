using System.Security.Cryptography;
using System.Text;
using ProofStorage.Core.Codec;

namespace ProofStorage.Testing;

/// <summary>Deterministic test keys and image hashes.</summary>
public static class TestKeys
{
    public static byte[] Key(string seed) => SHA256.HashData(Encoding.UTF8.GetBytes("test-key:" + seed));

    public static string KeyBase64(string seed) => Convert.ToBase64String(Key(seed));

    public static EncryptionKeyRing Ring(string active = "k1", params string[] others)
    {
        var keys = new Dictionary<string, byte[]> { [active] = Key(active) };
        foreach (var other in others)
        {
            keys[other] = Key(other);
        }

        return new EncryptionKeyRing(active, keys);
    }

    /// <summary>A valid image hash derived from a label.</summary>
    public static string ImageHash(string label) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(label)));

    /// <summary>Configuration entries for a service with the given keys (first is active).</summary>
    public static Dictionary<string, string?> EncryptionSettings(params string[] keyIds)
    {
        var settings = new Dictionary<string, string?> { ["ProofStorage:Encryption:ActiveKeyId"] = keyIds[0] };
        foreach (var id in keyIds)
        {
            settings[$"ProofStorage:Encryption:Keys:{id}"] = KeyBase64(id);
        }

        return settings;
    }

    /// <summary>The configured form of an API key (<c>sha256:&lt;hex&gt;</c>), as <c>hash-key</c> prints it.</summary>
    public static string ApiKeyHash(string apiKey) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
}
