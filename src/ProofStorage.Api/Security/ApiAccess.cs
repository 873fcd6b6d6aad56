using Microsoft.AspNetCore.Authorization;

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

/// <summary>The one way endpoints say who may call them and which limit they wait for.</summary>
internal static class ApiAccessExtensions
{
    /// <summary>Callers need a key with <paramref name="scope"/> (reads: or anyone, when anonymous reads are on).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredScope(scope));

    /// <summary>The concurrency limit the endpoint's requests wait for (default <see cref="RequestClass.Read"/>).</summary>
    public static TBuilder WithRequestClass<TBuilder>(this TBuilder builder, RequestClass requestClass)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestClassMetadata(requestClass));

    /// <summary>Whether an endpoint's metadata opens it to callers without a key (health, the metrics scrape, Swagger).</summary>
    public static bool IsAnonymous(this Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null && endpoint.Metadata.GetMetadata<RequiredScope>() is null;
}
