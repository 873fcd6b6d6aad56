namespace ProofStorage.Core.Storage;

/// <summary>
/// Optional capability of a provider whose objects can be fetched straight from the backend with a
/// time-limited signed URL (S3 and R2 implement it; the filesystem does not). Ask the store's provider for it with
/// <see cref="IStorageProvider.GetCapability{T}"/>, which sees through the wrappers the store adds.
/// </summary>
/// <remarks>
/// <para>The URL fetches the object exactly as stored: the encrypted envelope, not the proof. It is useful to a
/// reader that holds the encryption key (a decrypting edge worker, a backup or audit tool), not to a C2PA reader.</para>
/// <para>Signing is local: no call reaches the backend, so a URL says nothing about whether the object exists.
/// Thread-safe.</para>
/// </remarks>
public interface IPresignedUrlProvider
{
    /// <summary>The longest lifetime the backend accepts (SigV4 query signing: 7 days).</summary>
    TimeSpan MaxPresignedUrlLifetime { get; }

    /// <summary>
    /// A GET URL for the object under <paramref name="key"/>, valid for <paramref name="lifetime"/> (1 s up to
    /// <see cref="MaxPresignedUrlLifetime"/>, otherwise <see cref="ArgumentOutOfRangeException"/>). The returned
    /// expiry is the one the backend will enforce (the signing time plus the signed lifetime).
    /// </summary>
    Task<PresignedUrl> CreatePresignedGetUrlAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken);
}

/// <summary>A signed URL and the moment the backend stops honouring it.</summary>
public sealed record PresignedUrl(Uri Url, DateTimeOffset ExpiresAt);
