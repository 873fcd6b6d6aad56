using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace ProofStorage.Api.Security;

/// <summary>The configured keys, parsed once; matches a presented key in constant time over all keys.</summary>
internal sealed class ApiKeyStore
{
    private readonly (string Name, byte[] Digest, string[] Scopes)[] _keys;

    public ApiKeyStore(IOptions<AuthOptions> options, IHostEnvironment environment)
    {
        var auth = options.Value;
        var parsed = new List<(string, byte[], string[])>();
        foreach (var (name, key) in auth.Keys)
        {
            // Invalid hashes stop start-up in AuthOptionsValidator; skipping here keeps this type total.
            if (ApiKeyHash.TryParse(key.Hash, out var digest))
            {
                parsed.Add((name, digest, key.Scopes.Distinct(StringComparer.Ordinal).ToArray()));
            }
        }

        _keys = [.. parsed];
        AllowAnonymousReads = auth.AllowAnonymousReads;
        Disabled = _keys.Length == 0 && environment.IsDevelopment();
    }

    /// <summary>True only in Development with no key configured: every request acts with every scope.</summary>
    public bool Disabled { get; }

    public bool AllowAnonymousReads { get; }

    /// <summary>The key's name and scopes, or null. Every configured hash is compared, so timing says nothing about which matched.</summary>
    public (string Name, string[] Scopes)? Match(string presented)
    {
        // Empty or absurdly long keys are refused before hashing (no configured key can be either).
        if (presented.Length is 0 or > ApiKeyHash.MaxKeyLength)
        {
            return null;
        }

        var digest = ApiKeyHash.Digest(presented);
        (string, string[])? found = null;
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, key.Digest))
            {
                found = (key.Name, key.Scopes);
            }
        }

        return found;
    }
}
