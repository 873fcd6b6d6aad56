using System.Buffers.Text;
using System.Security.Cryptography;
using ProofStorage.Core.Model;

namespace ProofStorage.Core.Dedup;

/// <summary>
/// The dedup index is the provider's key space itself: a proof's id is derived from its image hash, and the
/// proof is created at <c>proofs/{id}</c> with create-if-absent. So "same image ⇒ same proof" needs no
/// separate index object, holds across restarts and instances (the provider's conditional create is the
/// arbiter), and a store of a new image costs exactly one provider write.
/// </summary>
/// <remarks>
/// The id is the first 128 bits of <c>SHA-256("proofstorage/proof-id/v1\0" ‖ imageHash)</c> in base64url: opaque,
/// URL-safe, 22 characters, stable for the image. Legacy ids (from the migration) are aliases kept at
/// <c>aliases/{legacyId}</c>, each holding the proof id it stands for.
/// </remarks>
public static class DedupProtocol
{
    /// <summary>Object-key prefix of proofs.</summary>
    public const string ProofPrefix = "proofs/";

    /// <summary>Object-key prefix of legacy-id aliases.</summary>
    public const string AliasPrefix = "aliases/";

    private static ReadOnlySpan<byte> Domain => "proofstorage/proof-id/v1\0"u8;

    /// <summary>The proof id of an image.</summary>
    public static string ProofIdFor(ImageHash imageHash)
    {
        Span<byte> input = stackalloc byte[Domain.Length + 32];
        Domain.CopyTo(input);
        Convert.FromHexString(imageHash.Value, input[Domain.Length..], out _, out _);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        return Base64Url.EncodeToString(digest[..16]);
    }

    /// <summary>The object key a proof is stored under.</summary>
    public static string ProofKey(string proofId) => ProofPrefix + proofId;

    /// <summary>The object key of a legacy-id alias.</summary>
    public static string AliasKey(string legacyId) => AliasPrefix + legacyId;
}
