using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ProofStorage.Api.Security;

namespace ProofStorage.Api.Http;

/// <summary>
/// Headers every proof response carries: a year-long immutable <c>Cache-Control</c> (a proof never changes
/// under its id; a delete is purged, see docs/operations.md), <c>public</c> only when anyone may read, and a
/// <c>Link</c> to the proof document for C2PA readers. Singleton.
/// </summary>
internal sealed class ProofResponseHeaders(ApiKeyStore keys, IOptions<CdnOptions> cdn)
{
    internal const string PublicCacheControl = "public, max-age=31536000, immutable";

    /// <summary>Reads need a key: a shared cache (CDN) must not hand the response to callers without one.</summary>
    internal const string PrivateCacheControl = "private, max-age=31536000, immutable";

    private readonly string? _baseUrl = cdn.Value.BaseUrl;

    /// <summary>The <c>Link</c> value around a proof id, so a response builds it with one concatenation.</summary>
    private readonly string _linkPrefix = $"<{cdn.Value.BaseUrl}/v1/proofs/";

    private const string LinkSuffix = "/manifest>; rel=\"c2pa-manifest\"";

    /// <summary>True when responses may be held by a CDN: anonymous reads are on (or authentication is off in Development).</summary>
    public bool ReadsArePublic { get; } = keys.AllowAnonymousReads || keys.Disabled;

    public string CacheControl => ReadsArePublic ? PublicCacheControl : PrivateCacheControl;

    /// <summary>
    /// The proof document's URL: absolute under <c>PublicBaseUrl</c> when set, otherwise relative to this service
    /// (RFC 8288 resolves it against the request URL).
    /// </summary>
    public string ManifestUrl(string proofId) => $"{_baseUrl}/v1/proofs/{proofId}/manifest";

    /// <summary>The proof's record URL, as <see cref="ManifestUrl"/>.</summary>
    public string RecordUrl(string proofId) => $"{_baseUrl}/v1/proofs/{proofId}";

    /// <summary>Sets the caching and link headers of a proof response (200, 304 and HEAD alike).</summary>
    public void Apply(HttpResponse response, string proofId, string etag)
    {
        var headers = response.Headers;
        headers.ETag = etag;
        headers.CacheControl = CacheControl;
        headers.Link = string.Concat(_linkPrefix, proofId, LinkSuffix);
    }

    /// <summary>If-None-Match uses the weak comparison (RFC 9110 §13.1.2).</summary>
    public static bool Matches(StringValues ifNoneMatch, params ReadOnlySpan<string> etags)
    {
        foreach (var value in ifNoneMatch)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var raw in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var tag = raw.StartsWith("W/", StringComparison.Ordinal) ? raw[2..] : raw;
                if (tag == "*" || etags.Contains(tag))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
