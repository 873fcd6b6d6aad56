using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;

namespace ProofStorage.Migrate.Sources;

/// <summary>
/// Where proofs come from. Items are named by a stable, unique string (a file name, an object key); the
/// migration processes them in ordinal order of that name, which is what makes the checkpoint a position.
/// </summary>
/// <remarks>Thread-safe: <see cref="LoadAsync"/> and <see cref="DeleteAsync"/> run concurrently for different names.</remarks>
internal interface IMigrationSource : IAsyncDisposable
{
    /// <summary>Says what the source is, for the summary, the report and the checkpoint's identity check.</summary>
    string Description { get; }

    /// <summary>Every item name, sorted ordinally.</summary>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads and validates one item. An item that cannot be migrated (malformed, invalid) is returned as
    /// <see cref="SourceLoad.Invalid"/>; <see cref="Core.StorageUnavailableException"/> means "try again".
    /// </summary>
    Task<SourceLoad> LoadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes the item from the source; <see langword="false"/> when it was already gone.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}

/// <summary>
/// A proof to migrate, or a legacy id to carry over (<see cref="AliasOf"/> set, no proof). <see cref="ProofMediaType"/>
/// is carried over from a store that recorded one. A C2PA manifest store kept as its raw bytes (<see cref="C2pa"/> set) is
/// stored again as one, with the soft bindings its record holds, so the target's write pipeline writes its index objects.
/// </summary>
internal sealed record SourceItem(string Name, string? LegacyId, ImageHash? ImageHash, DateTimeOffset? CreatedAt,
    ReadOnlyMemory<byte> Proof, IReadOnlyDictionary<string, string>? Metadata, long SourceBytes, string? AliasOf = null,
    string? ProofMediaType = null)
{
    /// <summary>A manifest store's identifiers as its source record holds them; <see langword="null"/> for a JSON proof.</summary>
    public C2paIdentifiers? C2pa { get; init; }

    /// <summary>The id the proof has in any store: from its image hash, or (a manifest store without one) its manifest id.</summary>
    public string ProofId => ImageHash is { } hash ? DedupProtocol.ProofIdFor(hash) : DedupProtocol.ProofIdForManifest(C2pa!.ManifestId);

    /// <summary>
    /// Items of one proof are processed one after another, in name order: so the first record of an image
    /// deterministically becomes the proof, and a carried-over alias is verified only after its proof was written.
    /// </summary>
    public string GroupKey => AliasOf ?? ProofId;

    /// <summary>The store request this item makes; the source's timestamp is kept.</summary>
    public StoreProofCommand ToCommand() => C2pa is { } c2pa
        ? StoreProofCommand.ForManifestStore(ImageHash, Proof, Metadata, c2pa.SoftBindings, CreatedAt)
        : new StoreProofCommand(ImageHash, Proof, Metadata, CreatedAt, ProofMediaType);
}

/// <summary>The outcome of reading one item.</summary>
internal sealed record SourceLoad(string Name, SourceItem? Item, string? Invalid, long SourceBytes, string? Failure = null)
{
    /// <summary>The source could not be read (transient): a failure, retried by the next run.</summary>
    public static SourceLoad Unreadable(string name, string failure) => new(name, null, null, 0, failure);

    public static SourceLoad Valid(SourceItem item) => new(item.Name, item, null, item.SourceBytes);

    public static SourceLoad Rejected(string name, string reason, long sourceBytes) => new(name, null, reason, sourceBytes);
}
