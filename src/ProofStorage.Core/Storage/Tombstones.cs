using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ProofStorage.Core.Storage;

/// <summary>
/// Tombstones: small objects saying "this copy of this key was deleted", written by a failover pair's delete before it
/// removes any copy, so nothing that repairs one copy from the other (the scrub) can bring a deleted proof back.
/// </summary>
/// <remarks>
/// <para>A tombstone names one <i>incarnation</i> of a key: the SHA-256 of the exact bytes deleted. Every store seals with
/// a fresh nonce, so storing the image again after a delete gives new bytes that no tombstone names, and a tombstone never
/// needs to be cleared by a later store (which would cost every store a request).</para>
/// <para>Key: <c>tombstones/{sha256 hex}.{folder}.{id}</c>, e.g. <c>tombstones/9f86…0a08.proofs.hLZSQuzVHRYwK0KbuZAj6w</c>:
/// the hash first spreads them evenly over the filesystem's fan-out folders. Body: <c>{"deletedAt":"…"}</c> (no proof
/// data). Created with create-if-absent, never changed; removed by the scrub once older than its retention.</para>
/// </remarks>
public static class Tombstones
{
    /// <summary>The folder tombstones live in.</summary>
    public const string Folder = "tombstones/";

    /// <summary>The hex SHA-256 naming an incarnation (the bytes of one copy).</summary>
    public static string IncarnationOf(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>True for the keys that get tombstones: <c>folder/id</c> with no dot (proofs and aliases).</summary>
    public static bool AppliesTo(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < key.Length - 1 && key.IndexOf('/', slash + 1) < 0 && key.IndexOf('.', StringComparison.Ordinal) < 0
            && !key.StartsWith(Folder, StringComparison.Ordinal);
    }

    /// <summary>The tombstone key of incarnation <paramref name="sha256"/> of <paramref name="key"/> (<c>proofs/{id}</c> or <c>aliases/{id}</c>).</summary>
    public static string KeyFor(string key, string sha256)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (!AppliesTo(key))
        {
            throw new ArgumentException($"Only keys of the form folder/id without dots have tombstones, not '{key}'.", nameof(key));
        }

        return $"{Folder}{sha256}.{key[..slash]}.{key[(slash + 1)..]}";
    }

    /// <summary>Reads a tombstone key back into the key and incarnation it names.</summary>
    public static bool TryParse(string tombstoneKey, out string key, out string sha256)
    {
        ArgumentNullException.ThrowIfNull(tombstoneKey);
        key = sha256 = string.Empty;
        if (!tombstoneKey.StartsWith(Folder, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = tombstoneKey[Folder.Length..].Split('.');
        if (parts.Length != 3 || parts[0].Length != 64 || parts[1].Length == 0 || parts[2].Length == 0)
        {
            return false;
        }

        sha256 = parts[0];
        key = parts[1] + "/" + parts[2];
        return true;
    }

    /// <summary>The body of a tombstone: when the delete happened.</summary>
    public static byte[] Body(DateTimeOffset deletedAt) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"deletedAt\":\"{deletedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\"}}"));

    /// <summary>True when <paramref name="provider"/> holds a tombstone for incarnation <paramref name="sha256"/> of <paramref name="key"/>.</summary>
    public static async Task<bool> ExistsAsync(IStorageProvider provider, string key, string sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return await provider.GetAsync(KeyFor(key, sha256), cancellationToken).ConfigureAwait(false) is not null;
    }
}
