using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ProofStorage.Api.Security;

/// <summary>
/// The configured keys, parsed once; matches a presented key in constant time over all keys. Thread-safe singleton.
/// </summary>
/// <remarks>
/// A key that matched once is remembered as presented (at most one entry per configured key, since only matches are
/// remembered), so a caller presenting it again is answered by comparing those bytes with every remembered key, each
/// comparison in constant time and none skipped, instead of hashing it again. An unknown key is always hashed and
/// compared with every configured hash: remembering misses would let a caller fill memory with garbage.
/// </remarks>
internal sealed class ApiKeyStore
{
    /// <summary>The caller when authentication is off (Development without keys): every scope.</summary>
    private static readonly ApiKey Development = new("development", [], ScopeSet.All);

    private readonly ApiKey[] _keys;
    private Remembered[] _remembered = [];

    public ApiKeyStore(IOptions<AuthOptions> options, IHostEnvironment environment)
    {
        var auth = options.Value;
        var parsed = new List<ApiKey>();
        foreach (var (name, key) in auth.Keys)
        {
            // Invalid hashes stop start-up in AuthOptionsValidator; skipping here keeps this type total.
            if (ApiKeyHash.TryParse(key.Hash, out var digest))
            {
                var scopes = key.Scopes.Aggregate(ScopeSet.None, (set, scope) => set | ProofStorageScopes.ToSet(scope));
                parsed.Add(new ApiKey(name, digest, scopes));
            }
        }

        _keys = [.. parsed];
        AllowAnonymousReads = auth.AllowAnonymousReads;
        Disabled = _keys.Length == 0 && environment.IsDevelopment();
    }

    /// <summary>True only in Development with no key configured: every request acts with every scope.</summary>
    public bool Disabled { get; }

    public bool AllowAnonymousReads { get; }

    /// <summary>The key every request acts as while <see cref="Disabled"/>.</summary>
    public static ApiKey DevelopmentKey => Development;

    /// <summary>
    /// The configured key <paramref name="presented"/> is, or null. Every configured hash (or every remembered key) is
    /// compared, so timing says nothing about which one matched.
    /// </summary>
    public ApiKey? Match(string presented)
    {
        // Empty or absurdly long keys are refused before hashing (no configured key can be either).
        if (presented.Length is 0 or > ApiKeyHash.MaxKeyLength)
        {
            return null;
        }

        // A remembered key is compared as it is held, the string's characters: no encoding on the path of every request.
        ApiKey? found = null;
        var remembered = Volatile.Read(ref _remembered);
        foreach (var entry in remembered)
        {
            if (FixedTimeEquals(presented, entry.Text))
            {
                found = entry.Key;
            }
        }

        if (found is not null)
        {
            return found;
        }

        Span<byte> bytes = stackalloc byte[ApiKeyHash.MaxKeyLength * 3];
        bytes = bytes[..Encoding.UTF8.GetBytes(presented, bytes)];
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, digest);
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, key.Digest))
            {
                found = key;
            }
        }

        if (found is not null)
        {
            Remember(presented, found);
        }

        return found;
    }

    /// <summary>
    /// Whether two keys are the same characters, in a time that depends only on their length: all their bytes are compared
    /// eight at a time (XOR, OR-ed together), with no early exit. <see cref="CryptographicOperations.FixedTimeEquals"/>
    /// does the same one byte at a time in code the JIT must not optimise, which for a 41-character key was 3 % of a
    /// cached read's CPU; the hashed path still uses it for the 32-byte digests.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static bool FixedTimeEquals(ReadOnlySpan<char> left, ReadOnlySpan<char> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        var a = MemoryMarshal.AsBytes(left);
        var b = MemoryMarshal.AsBytes(right);
        ulong difference = 0;
        var i = 0;
        for (; i <= a.Length - sizeof(ulong); i += sizeof(ulong))
        {
            difference |= MemoryMarshal.Read<ulong>(a[i..]) ^ MemoryMarshal.Read<ulong>(b[i..]);
        }

        for (; i < a.Length; i++)
        {
            difference |= (uint)(a[i] ^ b[i]);
        }

        return difference == 0;
    }

    private void Remember(string text, ApiKey key)
    {
        var entry = new Remembered(text, key);
        while (true)
        {
            var current = Volatile.Read(ref _remembered);

            // One entry per configured key: the set can never outgrow the configuration.
            if (current.Length >= _keys.Length || current.Any(e => e.Key == key))
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _remembered, [.. current, entry], current) == current)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The key a request presents: <c>X-Api-Key: &lt;key&gt;</c> or <c>Authorization: ApiKey &lt;key&gt;</c>; null when
    /// it presents none, empty (never a key) when the header is repeated.
    /// </summary>
    internal static string? ReadKey(IHeaderDictionary headers)
    {
        var header = headers[ApiKeyHeader.Name];
        if (header.Count > 0)
        {
            return header.Count == 1 ? header[0]?.Trim() ?? string.Empty : string.Empty;
        }

        var authorization = headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value
            && value.StartsWith(ApiKeyHeader.Scheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            return value[(ApiKeyHeader.Scheme.Length + 1)..].Trim();
        }

        return null;
    }

    private sealed record Remembered(string Text, ApiKey Key);
}

/// <summary>One configured key: its name (logs, rate-limit partition), the hash of its value and its scopes.</summary>
internal sealed class ApiKey(string name, byte[] digest, ScopeSet scopes)
{
    public string Name { get; } = name;

    public byte[] Digest { get; } = digest;

    public ScopeSet Scopes { get; } = scopes;

    public bool Has(ScopeSet scope) => (Scopes & scope) == scope;
}

/// <summary>How a key is sent.</summary>
internal static class ApiKeyHeader
{
    public const string Name = "X-Api-Key";

    /// <summary>The <c>Authorization</c> scheme, and the name of the Swagger security scheme.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>The challenge a <c>401</c> carries.</summary>
    public static readonly StringValues Challenge = $"{Scheme} realm=\"ProofStorage\", header=\"{Name}\"";
}
