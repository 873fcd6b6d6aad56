using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;

namespace ProofStorage.Api.Security;

/// <summary>
/// What an endpoint needs from its caller, read by <see cref="ApiAccessMiddleware"/> (the one place access is decided).
/// Set with <see cref="ApiAccessExtensions.RequireScope{TBuilder}"/>; an endpoint without it needs a valid key of any
/// scope, and one marked <c>.AllowAnonymous()</c> needs none.
/// </summary>
internal sealed class RequiredScope(string scope)
{
    public string Scope { get; } = scope;

    public ScopeSet Set { get; } = ProofStorageScopes.ToSet(scope) is var set and not ScopeSet.None
        ? set
        : throw new ArgumentException($"'{scope}' is not a scope; known: {string.Join(", ", ProofStorageScopes.All)}.", nameof(scope));

    /// <summary>Reads may be open to anyone by configuration (<see cref="AuthOptions.AllowAnonymousReads"/>); nothing else may.</summary>
    public bool OpenWhenReadsArePublic => Set == ScopeSet.Read;
}

/// <summary>
/// Which concurrency limit a request waits for (<see cref="OverloadOptions"/>): cheap reads never queue behind
/// provider-bound writes. Endpoints without it are <see cref="Read"/>.
/// </summary>
internal enum RequestClass
{
    /// <summary>Reads, lookups and stats: mostly answered from memory.</summary>
    Read,

    /// <summary>Stores and deletes: each carries a body and waits for the provider.</summary>
    Write,

    /// <summary>Never shed: liveness and the metrics scrape, which matter most when the service is overloaded.</summary>
    Unlimited,
}

/// <summary>The metadata an endpoint carries for its admission class.</summary>
internal sealed record RequestClassMetadata(RequestClass Class);

/// <summary>
/// The access rule of one endpoint, read from its metadata in this one place: <see cref="ApiAccessMiddleware"/> and
/// <see cref="LoadSheddingMiddleware"/> act on it, and the OpenAPI document (<c>OpenApi.RouteProblems</c>) derives the
/// 401/403/429/503 each operation can answer from it, so the contract cannot drift from what the pipeline does.
/// </summary>
/// <param name="Anonymous"><c>.AllowAnonymous()</c> and no <see cref="RequiredScope"/>: no key needed.</param>
/// <param name="Scope">The scope a key needs (<see cref="ApiAccessExtensions.RequireScope{TBuilder}"/>); none: any valid key.</param>
/// <param name="RateLimited">Spends the caller's rate-limit permit unless marked <c>.DisableRateLimiting()</c> (probes, the scrape).</param>
/// <param name="Class">The concurrency limit it waits for (<see cref="ApiAccessExtensions.WithRequestClass{TBuilder}"/>).</param>
internal sealed record EndpointAccess(bool Anonymous, RequiredScope? Scope, bool RateLimited, RequestClass Class)
{
    private static readonly ConcurrentDictionary<Endpoint, EndpointAccess> Cache = new();

    /// <summary>A request that matched no route (404, 405): it needs a valid key, so a path cannot be probed anonymously.</summary>
    public static EndpointAccess Unmatched { get; } = new(Anonymous: false, Scope: null, RateLimited: true, RequestClass.Read);

    /// <summary>The rule of a matched endpoint, computed once per endpoint (the route table is fixed).</summary>
    public static EndpointAccess Of(Endpoint? endpoint) =>
        endpoint is null ? Unmatched : Cache.GetOrAdd(endpoint, static e => For([.. e.Metadata]));

    public static EndpointAccess For(IReadOnlyList<object> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var scope = metadata.OfType<RequiredScope>().LastOrDefault();
        return new EndpointAccess(
            Anonymous: scope is null && metadata.OfType<IAllowAnonymous>().Any(),
            scope,
            RateLimited: !metadata.OfType<DisableRateLimitingAttribute>().Any(),
            metadata.OfType<RequestClassMetadata>().LastOrDefault()?.Class ?? RequestClass.Read);
    }
}

/// <summary>The one way endpoints say who may call them and which limit they wait for.</summary>
internal static class ApiAccessExtensions
{
    /// <summary>Callers need a key with <paramref name="scope"/> (reads: or anyone, when anonymous reads are on).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredScope(scope));

    /// <summary>
    /// The concurrency limit the endpoint's requests wait for (default <see cref="RequestClass.Read"/>);
    /// <see cref="RequestClass.Unlimited"/>: never shed.
    /// </summary>
    public static TBuilder WithRequestClass<TBuilder>(this TBuilder builder, RequestClass requestClass)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestClassMetadata(requestClass));
}
