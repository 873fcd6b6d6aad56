namespace ProofStorage.Core.Storage;

/// <summary>
/// Optional capability of one backend (the filesystem, S3 and R2 implement it) for tools that walk a whole store and
/// rewrite objects in place: the scrub, the key census and re-encryption. Ask a provider for it with
/// <see cref="IStorageProvider.GetCapability{T}"/>; a decorator forwards it (instrumentation counts its calls). A failover
/// pair does not answer it for the pair as a whole — a version names the bytes of one copy — so ask the pair for
/// <see cref="IStorageReplicas"/> first and use each member's own.
/// </summary>
/// <remarks>
/// <para>A <b>version</b> is an opaque token naming the current bytes of one object on one backend: S3/R2 its ETag
/// (as a listing or a read gives it), the filesystem the hex SHA-256 of its bytes. Conditional calls compare it with the
/// object's current version atomically with their own effect, so a concurrent write or delete always wins over them.</para>
/// <para>Thread-safe. Errors as in <see cref="IStorageProvider"/>: an unreachable backend throws
/// <see cref="StorageUnavailableException"/>, content that fails the backend's own checksum
/// <see cref="ProofIntegrityException"/>.</para>
/// </remarks>
public interface IObjectMaintenance
{
    /// <summary>
    /// The objects under <paramref name="folder"/> (a folder key ending in <c>/</c>, such as <c>proofs/</c>), those in deeper
    /// folders too (<c>bindings/{value}/{proofId}</c>), in ordinal key order, starting after <paramref name="startAfter"/> (a full key,
    /// or <see langword="null"/> for the first). Streams page by page: memory does not grow with the number of keys.
    /// </summary>
    /// <remarks>
    /// What an entry holds is what the backend's listing gives at no extra cost. S3/R2 (<c>ListObjectsV2</c>, 1,000 keys a
    /// request): size, ETag (for the service's single-part PUTs, the MD5 of the bytes), last-modified time. The filesystem:
    /// size and modification time, no checksum (computing one would read every byte).
    /// </remarks>
    IAsyncEnumerable<ObjectEntry> ListObjectsAsync(string folder, string? startAfter, CancellationToken cancellationToken);

    /// <summary>
    /// The first <paramref name="length"/> bytes of an object (fewer when it is shorter), or <see langword="null"/> when the
    /// key does not exist. S3/R2: one ranged GET (<c>Range: bytes=0-…</c>); nothing beyond the range is read or checked.
    /// </summary>
    Task<byte[]?> ReadPrefixAsync(string key, int length, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a whole object with its version, or <see langword="null"/> when the key does not exist. Bytes that fail the
    /// backend's stored checksum throw <see cref="ProofIntegrityException"/> (the version of such a copy is the one its
    /// listing entry gives).
    /// </summary>
    Task<VersionedObject?> GetVersionedAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the object unless the key exists (as <see cref="IStorageProvider.CreateIfAbsentAsync"/>); returns the new
    /// version, or <see langword="null"/> when an object was already there (it wins, untouched).
    /// </summary>
    Task<string?> TryCreateAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the object only if its current version is <paramref name="expectedVersion"/> (S3/R2: <c>PutObject</c> with
    /// <c>If-Match</c>; the filesystem: under a per-key lock shared by every process using the folder, the current bytes'
    /// hash is compared first). Returns the new version, or <see langword="null"/> when the object changed or is gone:
    /// then nothing was written.
    /// </summary>
    Task<string?> TryReplaceAsync(string key, ReadOnlyMemory<byte> content, string expectedVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the object only if its current version is <paramref name="expectedVersion"/>; <see langword="false"/> when
    /// it changed or is gone. S3: <c>DeleteObject</c> with <c>If-Match</c> (AWS S3 and the patched local server honour it;
    /// Cloudflare R2 documents no conditional delete, so there it is a HEAD, a compare and a plain delete, which a write in
    /// between can lose to). The filesystem: under the per-key lock.
    /// </summary>
    Task<bool> TryDeleteAsync(string key, string expectedVersion, CancellationToken cancellationToken);
}

/// <summary>One listed object.</summary>
/// <param name="Key">The object key (without any backend key prefix).</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="ETag">S3/R2: the ETag as listed (with quotes), also the object's version; the filesystem: <see langword="null"/>.</param>
/// <param name="LastModified">When it was last written, by the backend's clock.</param>
public sealed record ObjectEntry(string Key, long Size, string? ETag, DateTimeOffset LastModified)
{
    /// <summary>
    /// The MD5 of the bytes when the listing gives one (an S3 ETag of a single-part upload: 32 hex digits), lower case;
    /// otherwise <see langword="null"/> (the filesystem, multipart or SSE-KMS ETags).
    /// </summary>
    public string? ContentMd5
    {
        get
        {
            var tag = ETag?.Trim('"');
            return tag is { Length: 32 } && tag.All(char.IsAsciiHexDigit) ? tag.ToLowerInvariant() : null;
        }
    }
}

/// <summary>A whole object with the version naming its bytes.</summary>
public sealed record VersionedObject(ReadOnlyMemory<byte> Content, ObjectMetadata Metadata, string Version);

/// <summary>
/// Capability of a composite provider that keeps several copies of every object (the failover pair): its members, so a
/// tool can read, compare and repair each copy. Asked with <see cref="IStorageProvider.GetCapability{T}"/>; a provider
/// without it holds one copy.
/// </summary>
public interface IStorageReplicas
{
    /// <summary>The members in authority order (the primary first), each under its role.</summary>
    IReadOnlyList<StorageReplica> Replicas { get; }
}

/// <summary>One member of a composite provider.</summary>
/// <param name="Role"><c>primary</c>, <c>secondary</c>.</param>
/// <param name="Provider">The member as the composite uses it (instrumented).</param>
public sealed record StorageReplica(string Role, IStorageProvider Provider);
