using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Model;

namespace ProofStorage.Core.Dedup;

/// <summary>
/// The dedup index is the provider's key space itself: a proof's id is derived from its image hash, and the
/// proof is created at <c>proofs/{id}</c> with create-if-absent. So "same image ⇒ same proof" needs no
/// separate index object, holds across restarts and instances (the provider's conditional create is the
/// arbiter), and a store of a new image costs exactly one provider write.
/// </summary>
/// <remarks>
/// <para>The id is the first 128 bits of <c>SHA-256("proofstorage/proof-id/v1\0" ‖ imageHash)</c> in base64url: opaque,
/// URL-safe, 22 characters, stable for the image. A C2PA manifest store stored without an image hash is named by its
/// active manifest's id instead (<see cref="ProofIdForManifest"/>, another domain, so the two never collide). Legacy ids
/// (from the migration) are aliases kept at <c>aliases/{legacyId}</c>, each holding the proof id it stands for.</para>
/// <para>The C2PA lookups live in the same key space, one small sealed object per (looked-up value, proof):
/// <c>bindings/{B}/{proofId}</c> for a soft binding and <c>manifests/{M}/{proofId}</c> for a manifest id, where B and M are
/// 22-character digests of the value (<see cref="BindingPrefix"/>, <see cref="ManifestPrefix"/>). Each is created with
/// create-if-absent, so instances racing to index the same value never conflict and several proofs per value simply list
/// side by side; a lookup is one listing of the value's folder. No plaintext value appears in a key.</para>
/// </remarks>
public static class DedupProtocol
{
    /// <summary>Object-key prefix of proofs.</summary>
    public const string ProofPrefix = "proofs/";

    /// <summary>Object-key prefix of legacy-id aliases.</summary>
    public const string AliasPrefix = "aliases/";

    /// <summary>Object-key prefix of the soft-binding index (one object per binding value and proof).</summary>
    public const string BindingsPrefix = "bindings/";

    /// <summary>Object-key prefix of the manifest-id index (one object per manifest id and proof).</summary>
    public const string ManifestsPrefix = "manifests/";

    private static ReadOnlySpan<byte> Domain => "proofstorage/proof-id/v1\0"u8;

    private static ReadOnlySpan<byte> ManifestProofDomain => "proofstorage/manifest-proof-id/v1\0"u8;

    private static ReadOnlySpan<byte> BindingDomain => "proofstorage/soft-binding/v1\0"u8;

    private static ReadOnlySpan<byte> ManifestIdDomain => "proofstorage/manifest-id/v1\0"u8;

    /// <summary>The proof id of an image.</summary>
    public static string ProofIdFor(ImageHash imageHash)
    {
        Span<byte> input = stackalloc byte[Domain.Length + 32];
        Domain.CopyTo(input);
        Convert.FromHexString(imageHash.Value, input[Domain.Length..], out _, out _);
        return Digest(input);
    }

    /// <summary>The proof id of a manifest store stored without an image hash: derived from its active manifest's id.</summary>
    public static string ProofIdForManifest(string manifestId) => Digest(ManifestProofDomain, Encoding.UTF8.GetBytes(manifestId));

    /// <summary>The object key a proof is stored under.</summary>
    public static string ProofKey(string proofId) => ProofPrefix + proofId;

    /// <summary>The object key of a legacy-id alias.</summary>
    public static string AliasKey(string legacyId) => AliasPrefix + legacyId;

    /// <summary>
    /// The folder holding one index object per proof bound to <paramref name="binding"/>:
    /// <c>bindings/{base64url(SHA-256("proofstorage/soft-binding/v1\0" ‖ alg ‖ "\0" ‖ value bytes)[0..16])}/</c>.
    /// </summary>
    public static string BindingPrefix(SoftBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var alg = Encoding.UTF8.GetBytes(binding.Alg);
        var value = binding.ValueBytes();
        var input = new byte[alg.Length + 1 + value.Length];
        alg.CopyTo(input, 0);
        value.CopyTo(input, alg.Length + 1);
        return BindingsPrefix + Digest(BindingDomain, input) + "/";
    }

    /// <summary>The index object saying <paramref name="proofId"/> carries <paramref name="binding"/>.</summary>
    public static string BindingKey(SoftBinding binding, string proofId) => BindingPrefix(binding) + proofId;

    /// <summary>The folder holding one index object per proof whose active manifest is <paramref name="manifestId"/>.</summary>
    public static string ManifestPrefix(string manifestId)
    {
        ArgumentNullException.ThrowIfNull(manifestId);
        return ManifestsPrefix + Digest(ManifestIdDomain, Encoding.UTF8.GetBytes(manifestId)) + "/";
    }

    /// <summary>The index object saying <paramref name="proofId"/>'s active manifest is <paramref name="manifestId"/>.</summary>
    public static string ManifestKey(string manifestId, string proofId) => ManifestPrefix(manifestId) + proofId;

    /// <summary>The proof id an index key (<c>…/{proofId}</c>) names, or <see langword="null"/> when its last segment is not one.</summary>
    public static string? IndexedProofId(string indexKey)
    {
        ArgumentNullException.ThrowIfNull(indexKey);
        var id = indexKey[(indexKey.LastIndexOf('/') + 1)..];
        return ProofIds.IsNativeShape(id) ? id : null;
    }

    private static string Digest(ReadOnlySpan<byte> domain, ReadOnlySpan<byte> value)
    {
        var input = new byte[domain.Length + value.Length];
        domain.CopyTo(input);
        value.CopyTo(input.AsSpan(domain.Length));
        return Digest(input);
    }

    private static string Digest(ReadOnlySpan<byte> input)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        return Base64Url.EncodeToString(digest[..16]);
    }
}
