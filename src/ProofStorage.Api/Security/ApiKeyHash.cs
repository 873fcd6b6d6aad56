using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace ProofStorage.Api.Security;

/// <summary>
/// API keys as configured: <c>sha256:&lt;hex of SHA-256(UTF-8 key)&gt;</c>. Keys are 256-bit random strings (see
/// <see cref="NewKey"/>), so an unsalted fast hash is enough to keep them out of config files, and, unlike a slow
/// password hash, costs nothing per request (a slow hash would hand attackers a CPU amplifier).
/// </summary>
internal static class ApiKeyHash
{
    private const string Prefix = "sha256:";

    /// <summary>Longest key accepted from a client; longer values are rejected before hashing.</summary>
    public const int MaxKeyLength = 256;

    public static string Hash(string key) => Prefix + Convert.ToHexStringLower(Digest(key));

    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool TryParse(string? configured, [NotNullWhen(true)] out byte[]? digest)
    {
        digest = null;
        if (configured is null || !configured.StartsWith(Prefix, StringComparison.Ordinal) || configured.Length != Prefix.Length + 64)
        {
            return false;
        }

        try
        {
            digest = Convert.FromHexString(configured.AsSpan(Prefix.Length));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>A new key: <c>psk_</c> + 32 random bytes base64url.</summary>
    public static string NewKey() => "psk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
