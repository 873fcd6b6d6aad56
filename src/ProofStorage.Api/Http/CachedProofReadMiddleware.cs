using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Security;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// Answers <c>GET</c>/<c>HEAD /v1/proofs/{proofId}</c> for a proof already in this instance's memory level before
/// load shedding, the authentication and authorization middleware, the rate limiter and the endpoint run (routing
/// has matched the request already: WebApplication adds it ahead of the app's middleware). On a 4 KB cached
/// read those took more CPU than everything else the service does (profiled with <c>perf</c>, see
/// <c>perf/README.md</c>), and a cached read is the request a proof store must serve at web-server speed.
/// <para>
/// It only ever answers what the full pipeline would answer with 200/304: the caller presents a key that
/// matches and carries <c>proofs:read</c> (or needs none: anonymous reads allowed, or authentication off in
/// Development), the per-key rate limit grants a permit from the same limiter the pipeline uses, and L1 holds
/// the proof. Anything else (a miss, an alias, an unknown key, a missing scope, a refused permit, another
/// route) goes on down the pipeline unchanged, so every error keeps one source. Request logging and the
/// exception handler run before it.
/// </para>
/// </summary>
internal sealed class CachedProofReadMiddleware
{
    private const string Prefix = "/v1/proofs/";

    private readonly RequestDelegate _next;
    private readonly IProofCache _cache;
    private readonly ApiKeyStore _keys;
    private readonly ProofResponseHeaders _headers;
    private readonly PartitionedRateLimiter<HttpContext>? _limiter;

    public CachedProofReadMiddleware(RequestDelegate next, IProofCache cache, ApiKeyStore keys, ProofResponseHeaders headers,
        IOptions<RateLimitOptions> limits, IOptions<RateLimiterOptions> rateLimiter)
    {
        _next = next;
        _cache = cache;
        _keys = keys;
        _headers = headers;

        // The same limiter instance the rate-limiting middleware uses, so a hit spends the caller's own bucket.
        _limiter = SecurityExtensions.RateLimitsApply(limits.Value, keys) ? rateLimiter.Value.GlobalLimiter : null;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value;
        if (path is null || !path.StartsWith(Prefix, StringComparison.Ordinal) || path.Length != Prefix.Length + ProofIds.NativeLength
            || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return _next(context);
        }

        var proofId = path[Prefix.Length..];
        if (!ProofIds.IsNativeShape(proofId) || !MayRead(context) || !_cache.TryPeek(proofId, out var document))
        {
            return _next(context);
        }

        if (_limiter is null)
        {
            return new ProofDocumentResult(document, _headers).ExecuteAsync(context);
        }

        var lease = _limiter.AttemptAcquire(context);
        if (!lease.IsAcquired)
        {
            // The pipeline's limiter answers 429 with Retry-After and ProblemDetails.
            lease.Dispose();
            return _next(context);
        }

        return ServeAsync(context, document, lease);
    }

    private async Task ServeAsync(HttpContext context, ProofDocument document, RateLimitLease lease)
    {
        using (lease)
        {
            await new ProofDocumentResult(document, _headers).ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    /// <summary>What the authentication handler and the read policy would decide, when they would say yes.</summary>
    private bool MayRead(HttpContext context)
    {
        if (_keys.Disabled)
        {
            return true;
        }

        var presented = ApiKeyAuthenticationHandler.ReadKey(context.Request.Headers);
        if (presented is null)
        {
            return _keys.AllowAnonymousReads;
        }

        if (_keys.Match(presented) is not { } match
            || !match.Scopes.Contains(ProofStorageScopes.Read, StringComparer.Ordinal))
        {
            return false;
        }

        // The rate limiter partitions by the authenticated name, as in the pipeline; nothing else reads the user here.
        if (_limiter is not null)
        {
            context.User = ApiKeyAuthenticationHandler.CreatePrincipal(match.Name, match.Scopes);
        }

        return true;
    }
}
