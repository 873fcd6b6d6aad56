namespace ProofStorage.Core.Model;

/// <summary>A validated request to store a proof.</summary>
/// <param name="ImageHash">The image's SHA-256.</param>
/// <param name="Proof">The proof value as UTF-8 JSON, exactly as the client sent it (it is never re-serialised).</param>
/// <param name="Metadata">Optional string metadata (stored in key order).</param>
/// <param name="CreatedAt">
/// When the proof was first recorded, for imports that keep an older system's timestamp (the migration); the
/// store's clock when <see langword="null"/>. Kept at millisecond precision.
/// </param>
/// <param name="ProofMediaType">
/// The media type of the proof document (see <see cref="ProofMediaTypes"/>): <see langword="null"/> for plain JSON,
/// a JSON type (<c>application/json</c>, <c>…+json</c>) for a JSON proof, any other type for a binary document sent
/// as a base64 JSON string. Recorded only when given, so records without it stay byte-identical to older ones.
/// </param>
public sealed record StoreProofCommand(ImageHash ImageHash, ReadOnlyMemory<byte> Proof, IReadOnlyDictionary<string, string>? Metadata,
    DateTimeOffset? CreatedAt = null, string? ProofMediaType = null);

/// <summary>The outcome of a store.</summary>
/// <param name="Document">The proof that is now stored for the image (the new one, or the one that already existed).</param>
/// <param name="Deduplicated"><see langword="true"/> when a proof for the image already existed and nothing was written.</param>
public sealed record StoreProofResult(ProofDocument Document, bool Deduplicated);
