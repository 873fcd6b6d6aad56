using ProofStorage.Core.Codec;
using ProofStorage.Core.C2pa;

namespace ProofStorage.Core.Model;

/// <summary>How a proof arrives, and so how its record is laid out.</summary>
public enum ProofKind
{
    /// <summary>One JSON value, kept byte for byte inside a JSON record.</summary>
    Json,

    /// <summary>
    /// A C2PA manifest store as its raw <c>application/c2pa</c> bytes: read by the strict JUMBF reader, kept as they are in a
    /// binary record (no base64), and found by its active manifest's id and its soft bindings.
    /// </summary>
    ManifestStore,
}

/// <summary>A validated request to store a proof.</summary>
/// <param name="ImageHash">
/// The image's SHA-256, which names the proof. Required for a JSON proof; a manifest store may come without one (the C2PA
/// decoupled profile's <c>POST /manifests</c>), and is then named by its active manifest's id.
/// </param>
/// <param name="Proof">
/// The proof: for <see cref="ProofKind.Json"/> the value as UTF-8 JSON, exactly as the client sent it (it is never
/// re-serialised); for <see cref="ProofKind.ManifestStore"/> the manifest store's bytes.
/// </param>
/// <param name="Metadata">Optional string metadata (stored in key order).</param>
/// <param name="CreatedAt">
/// When the proof was first recorded, for imports that keep an older system's timestamp (the migration); the
/// store's clock when <see langword="null"/>. Kept at millisecond precision.
/// </param>
/// <param name="ProofMediaType">
/// The media type of the proof document (see <see cref="ProofMediaTypes"/>): <see langword="null"/> for plain JSON,
/// a JSON type (<c>application/json</c>, <c>…+json</c>) for a JSON proof, any other type for a binary document sent
/// as a base64 JSON string. Recorded only when given, so records without it stay byte-identical to older ones. A manifest
/// store is always <c>application/c2pa</c> (this is ignored for it).
/// </param>
public sealed record StoreProofCommand(ImageHash? ImageHash, ReadOnlyMemory<byte> Proof, IReadOnlyDictionary<string, string>? Metadata,
    DateTimeOffset? CreatedAt = null, string? ProofMediaType = null)
{
    /// <summary>How <see cref="Proof"/> is to be read.</summary>
    public ProofKind Kind { get; init; } = ProofKind.Json;

    /// <summary>
    /// Soft bindings given with a manifest store (checked when they were made, see <see cref="SoftBinding.TryCreate"/>), indexed
    /// with those its active manifest declares. Only for <see cref="ProofKind.ManifestStore"/>.
    /// </summary>
    public IReadOnlyList<SoftBinding> SoftBindings { get; init; } = [];

    /// <summary>
    /// The proof's bytes as <see cref="JsonProofRule"/> already walked them (a request parser's walk of the body): the write
    /// pipeline does not walk them again while <see cref="Proof"/> is still those bytes.
    /// </summary>
    internal CheckedJsonProof? CheckedJson { get; init; }

    /// <summary>A JSON proof whose value a parser read through <see cref="JsonProofRule.Walk{TObserver}"/>.</summary>
    public static StoreProofCommand ForCheckedJson(ImageHash imageHash, CheckedJsonProof proof, IReadOnlyDictionary<string, string>? metadata,
        string? proofMediaType) =>
        new(imageHash, proof.Bytes, metadata, ProofMediaType: proofMediaType) { CheckedJson = proof };

    /// <summary>A request to store a C2PA manifest store's raw bytes.</summary>
    public static StoreProofCommand ForManifestStore(ImageHash? imageHash, ReadOnlyMemory<byte> manifestStore, IReadOnlyDictionary<string, string>? metadata,
        IReadOnlyList<SoftBinding>? softBindings = null, DateTimeOffset? createdAt = null) =>
        new(imageHash, manifestStore, metadata, createdAt, ProofMediaTypes.C2pa)
        {
            Kind = ProofKind.ManifestStore,
            SoftBindings = softBindings ?? [],
        };
}

/// <summary>The outcome of a store.</summary>
/// <param name="Document">The proof that is now stored for the image (the new one, or the one that already existed).</param>
/// <param name="Deduplicated"><see langword="true"/> when a proof for the image already existed and nothing was written.</param>
public sealed record StoreProofResult(ProofDocument Document, bool Deduplicated);
