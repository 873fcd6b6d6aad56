using System.Collections.Frozen;

namespace ProofStorage.Core.Codec;

/// <summary>
/// The AES-256 keys the codec may use: every configured key can decrypt (so objects written before a rotation
/// stay readable), only the active one encrypts. Immutable and thread-safe.
/// </summary>
public sealed class EncryptionKeyRing
{
    /// <summary>AES-256 key length.</summary>
    public const int KeySizeBytes = 32;

    /// <summary>Longest key id (it is written into every envelope).</summary>
    public const int MaxKeyIdLength = 32;

    private readonly FrozenDictionary<string, byte[]> _keys;

    public EncryptionKeyRing(string activeKeyId, IReadOnlyDictionary<string, byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var (id, key) in keys)
        {
            if (!IsValidKeyId(id))
            {
                throw new ArgumentException($"Key id '{id}' is invalid: use 1-{MaxKeyIdLength} characters of A-Z, a-z, 0-9, '_' or '-'.", nameof(keys));
            }

            if (key.Length != KeySizeBytes)
            {
                throw new ArgumentException($"Key '{id}' must be {KeySizeBytes} bytes (AES-256), not {key.Length}.", nameof(keys));
            }
        }

        _keys = keys.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        if (!_keys.TryGetValue(activeKeyId, out var active))
        {
            throw new ArgumentException($"The active key id '{activeKeyId}' is not among the configured keys.", nameof(activeKeyId));
        }

        ActiveKeyId = activeKeyId;
        ActiveKey = active;
    }

    /// <summary>The key id new envelopes are written under.</summary>
    public string ActiveKeyId { get; }

    internal byte[] ActiveKey { get; }

    /// <summary>Every key id that can decrypt.</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    internal bool TryGetKey(string keyId, out byte[] key) => _keys.TryGetValue(keyId, out key!);

    /// <summary>1–32 characters of <c>[A-Za-z0-9_-]</c>.</summary>
    public static bool IsValidKeyId(string? id) => ProofStorage.Core.Model.ProofIds.IsUrlSafeToken(id, MaxKeyIdLength);
}
