using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Http;

namespace ProofStorage.Api.Security;

/// <summary>
/// The one place that decides who may do what: it identifies the caller by API key, spends the caller's rate limit
/// and checks the endpoint's <see cref="RequiredScope"/>. Every endpoint, every path that matches none, every method
/// goes through it; nothing else in the service makes an access decision.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>An endpoint marked <c>.AllowAnonymous()</c> (health, an anonymous metrics scrape) needs no key. Every endpoint
/// spends the caller's rate-limit permit unless marked <c>.DisableRateLimiting()</c> (the probes and the scrape are).
/// The rule of each endpoint is read from its metadata by <see cref="EndpointAccess"/>, which the OpenAPI document reads too.</item>
/// <item>An endpoint with <see cref="RequiredScope"/> needs a key with that scope; for <c>proofs:read</c> anyone may
/// call when <see cref="AuthOptions.AllowAnonymousReads"/> is on (an unknown key is then treated as none).</item>
/// <item>Anything else (an endpoint that says nothing, a path that matches no route) needs a valid key: a forgotten
/// annotation is closed, never open.</item>
/// <item>No valid key where one is needed: <c>401</c> with <c>WWW-Authenticate</c>; a key without the scope: <c>403</c>;
/// over the caller's rate (per key, else per client network, so wrong keys spend the network's bucket): <c>429</c> with
/// <c>Retry-After</c>. All three as ProblemDetails from <see cref="ProblemCatalogue"/>, before the body is read.</item>
/// <item>In Development with no key configured every request acts with every scope and nothing is rate limited.</item>
/// </list>
/// It runs after routing (it reads the matched endpoint) and does not build a <c>ClaimsPrincipal</c>: nothing downstream
/// reads one, and a cached read is cheaper without it.
/// </remarks>
internal sealed class ApiAccessMiddleware : IDisposable
{
    private readonly RequestDelegate _next;
    private readonly ApiKeyStore _keys;
    private readonly IProblemDetailsService _problemDetails;
    private readonly ILogger<ApiAccessMiddleware> _logger;
    private readonly PartitionedRateLimiter<RateLimitCaller>? _limiter;

    public ApiAccessMiddleware(RequestDelegate next, ApiKeyStore keys, IOptions<RateLimitOptions> limits, IProblemDetailsService problemDetails,
        ILogger<ApiAccessMiddleware> logger)
    {
        _next = next;
        _keys = keys;
        _problemDetails = problemDetails;
        _logger = logger;
        var options = limits.Value;

        // Off, or nothing to tell callers apart (authentication off): then no limiter runs at all.
        if (options.Enabled && !keys.Disabled)
        {
            _limiter = PartitionedRateLimiter.Create<RateLimitCaller, RateLimitCaller>(caller => caller.KeyName is not null
                ? RateLimitPartition.GetTokenBucketLimiter(caller, _ => Bucket(options.KeyPermitsPerSecond, options.KeyBurst))
                : RateLimitPartition.GetTokenBucketLimiter(caller, _ => Bucket(options.AnonymousPermitsPerSecond, options.AnonymousBurst)));
        }
    }

    public Task InvokeAsync(HttpContext context)
    {
        var access = EndpointAccess.Of(context.GetEndpoint());

        // IDENTIFY
        ApiKey? caller = null;
        if (_keys.Disabled)
        {
            caller = ApiKeyStore.DevelopmentKey;
        }
        else if (!access.Anonymous || (access.RateLimited && _limiter is not null))
        {
            var presented = ApiKeyStore.ReadKey(context.Request.Headers);
            caller = presented is null ? null : _keys.Match(presented);
        }

        // RATE LIMIT: per key, else per client network.
        if (access.RateLimited && _limiter is not null)
        {
            using var lease = _limiter.AttemptAcquire(new RateLimitCaller(caller?.Name, caller is null ? NetworkOf(context.Connection.RemoteIpAddress) : null));
            if (!lease.IsAcquired)
            {
                return RateLimitedAsync(context, lease, caller);
            }
        }

        // AUTHORIZE
        if (access.Anonymous)
        {
            return _next(context);
        }

        var required = access.Scope;
        var open = required is { OpenWhenReadsArePublic: true } && _keys.AllowAnonymousReads;
        if (caller is null)
        {
            return open ? _next(context) : ChallengeAsync(context);
        }

        return required is null || open || caller.Has(required.Set) ? _next(context) : ForbidAsync(context);
    }

    public void Dispose() => _limiter?.Dispose();

    private Task<bool> ChallengeAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = ApiKeyHeader.Challenge;
        return ProblemCatalogue.WriteAsync(_problemDetails, context, ProblemCatalogue.Unauthorized,
            $"Send a valid API key in the {ApiKeyHeader.Name} header (or 'Authorization: {ApiKeyHeader.Scheme} <key>'). Nothing was changed.").AsTask();
    }

    private Task<bool> ForbidAsync(HttpContext context) =>
        ProblemCatalogue.WriteAsync(_problemDetails, context, ProblemCatalogue.Forbidden,
            "This API key lacks the scope this operation needs. Nothing was changed.").AsTask();

    private Task<bool> RateLimitedAsync(HttpContext context, RateLimitLease lease, ApiKey? caller)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        SecurityLog.RateLimited(_logger, caller?.Name ?? "anonymous");
        return ProblemCatalogue.WriteAsync(_problemDetails, context, ProblemCatalogue.RateLimited,
            $"This client's request rate is over its limit. Nothing was changed; retry after {retryAfter} s.", retryAfter).AsTask();
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = Math.Max(burst, 1),
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>
    /// The network a caller without a valid key is limited as: its IPv4 address, or the /64 its IPv6 address is in. A /64
    /// is the smallest block a network is given, and a host picks its addresses in it at will (privacy addresses): limited
    /// per address, one host could take a full bucket, and a partition of the service's memory, with every request. (A
    /// subscriber given a /56 or /48 still has 256 or 65,536 buckets, not 2^64.)
    /// </summary>
    internal static IPAddress? NetworkOf(IPAddress? address)
    {
        if (address is null || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }

    /// <summary>A rate-limit partition: a key's name, or the network (<see cref="NetworkOf"/>) of a caller without a valid key.</summary>
    private readonly record struct RateLimitCaller(string? KeyName, IPAddress? Network);
}
