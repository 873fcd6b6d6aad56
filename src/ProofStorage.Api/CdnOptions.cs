using Microsoft.Extensions.Options;
using ProofStorage.Core.Storage;

namespace ProofStorage.Api;

/// <summary>What <c>GET /v1/proofs/{proofId}/url</c> hands out.</summary>
public enum ProofUrlMode
{
    /// <summary><see cref="Cdn"/> when <see cref="CdnOptions.PublicBaseUrl"/> is set, otherwise <see cref="Service"/>.</summary>
    Auto,

    /// <summary>The proof's URL on this service, as the request reached it.</summary>
    Service,

    /// <summary>The proof's URL under <see cref="CdnOptions.PublicBaseUrl"/> (a CDN in front of this service).</summary>
    Cdn,

    /// <summary>A time-limited signed URL of the stored (encrypted) object in the S3/R2 bucket.</summary>
    Presigned,
}

/// <summary>
/// CDN integration: the public base URL proofs are served under, and what the <c>/url</c> endpoint returns.
/// <code>
/// "ProofStorage": { "Cdn": { "PublicBaseUrl": "https://proofs.example.com", "UrlMode": "Auto",
///   "PresignedUrlExpiry": "00:15:00", "MaxPresignedUrlExpiry": "01:00:00",
///   "PurgeWebhookUrl": "https://ops.example.com/hooks/cdn-purge", "PurgeWebhookTimeout": "00:00:05" } }
/// </code>
/// Whether responses may be kept by a shared cache follows <c>ProofStorage:Auth:AllowAnonymousReads</c>:
/// <c>public</c> when anyone may read, <c>private</c> when reads need a key.
/// </summary>
public sealed class CdnOptions
{
    public const string SectionName = "ProofStorage:Cdn";

    /// <summary>SigV4 query signing refuses longer lifetimes.</summary>
    public static readonly TimeSpan PresignLimit = TimeSpan.FromDays(7);

    /// <summary>
    /// Absolute http(s) URL of the CDN (or any public name) in front of this service, without query or fragment,
    /// for example <c>https://proofs.example.com</c>. Used by <c>/url</c> and in <c>Link</c> headers.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    public ProofUrlMode UrlMode { get; set; } = ProofUrlMode.Auto;

    /// <summary>Lifetime of a presigned URL when the caller does not ask for one (<c>?expiresIn=</c> seconds).</summary>
    public TimeSpan PresignedUrlExpiry { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Longest lifetime a caller may ask for; longer requests are clamped to it. At most 7 days.</summary>
    public TimeSpan MaxPresignedUrlExpiry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Optional http(s) endpoint that gets a JSON POST (<c>ProofPurgeNotice</c>) after each delete, naming the paths
    /// a CDN may still hold. Sent in the background: it never delays or fails the delete; failures are logged.
    /// </summary>
    public string? PurgeWebhookUrl { get; set; }

    /// <summary>How long one webhook call may take (0.1 s to 30 s).</summary>
    public TimeSpan PurgeWebhookTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><see cref="PublicBaseUrl"/> without a trailing slash, or <see langword="null"/>.</summary>
    internal string? BaseUrl => string.IsNullOrWhiteSpace(PublicBaseUrl) ? null : PublicBaseUrl.Trim().TrimEnd('/');

    /// <summary>The mode in force once <see cref="ProofUrlMode.Auto"/> is resolved.</summary>
    internal ProofUrlMode EffectiveUrlMode => UrlMode == ProofUrlMode.Auto ? (BaseUrl is null ? ProofUrlMode.Service : ProofUrlMode.Cdn) : UrlMode;
}

/// <summary>Cross-field rules; <c>Presigned</c> also needs a provider that can sign URLs (S3 or R2).</summary>
internal sealed class CdnOptionsValidator(IOptionsMonitor<StorageProviderOptions> storage, IEnumerable<IStorageProviderFactory> factories)
    : IValidateOptions<CdnOptions>
{
    public ValidateOptionsResult Validate(string? name, CdnOptions options)
    {
        var failures = new List<string>();
        var section = CdnOptions.SectionName;
        if (options.BaseUrl is { } baseUrl
            && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo)))
        {
            failures.Add($"{section}:PublicBaseUrl '{baseUrl}' must be an absolute http(s) URL without credentials, query or fragment, e.g. https://proofs.example.com.");
        }

        if (!string.IsNullOrWhiteSpace(options.PurgeWebhookUrl)
            && (!Uri.TryCreate(options.PurgeWebhookUrl, UriKind.Absolute, out var hook) || hook.Scheme is not ("http" or "https")))
        {
            failures.Add($"{section}:PurgeWebhookUrl must be an absolute http(s) URL.");
        }

        if (options.PurgeWebhookTimeout < TimeSpan.FromMilliseconds(100) || options.PurgeWebhookTimeout > TimeSpan.FromSeconds(30))
        {
            failures.Add($"{section}:PurgeWebhookTimeout must be between 00:00:00.1 and 00:00:30.");
        }

        if (!Enum.IsDefined(options.UrlMode))
        {
            failures.Add($"{section}:UrlMode must be one of {string.Join(", ", Enum.GetNames<ProofUrlMode>())}.");
        }

        if (options.UrlMode == ProofUrlMode.Cdn && options.BaseUrl is null)
        {
            failures.Add($"{section}:UrlMode is Cdn but PublicBaseUrl is not set.");
        }

        if (options.MaxPresignedUrlExpiry < TimeSpan.FromSeconds(1) || options.MaxPresignedUrlExpiry > CdnOptions.PresignLimit)
        {
            failures.Add($"{section}:MaxPresignedUrlExpiry must be between 00:00:01 and 7.00:00:00 (the SigV4 limit).");
        }

        if (options.PresignedUrlExpiry < TimeSpan.FromSeconds(1) || options.PresignedUrlExpiry > options.MaxPresignedUrlExpiry)
        {
            failures.Add($"{section}:PresignedUrlExpiry must be at least 00:00:01 and at most MaxPresignedUrlExpiry ({options.MaxPresignedUrlExpiry}).");
        }

        // The primary signs (a failover pair forwards the capability to it): its type decides, no provider is built.
        if (options.UrlMode == ProofUrlMode.Presigned
            && storage.Get(StorageProviderBuilder.PrimarySlot) is { } primary
            && !factories.Any(f => primary.IsType(f.Type) && f.Provides<IPresignedUrlProvider>()))
        {
            failures.Add($"{section}:UrlMode is Presigned but the primary storage provider ({primary.Type}) cannot sign URLs; "
                + "presigned URLs need an S3 or R2 primary provider. Use Cdn or Service instead.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
