using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Http;

namespace ProofStorage.Api;

/// <summary>
/// Cross-origin reads of manifests by browsers (the Content Credentials verify site, browser extensions, a news site's own
/// verifier): which origins may <c>fetch</c> the routes C2PA readers use. Applies only while reads are anonymous
/// (<c>ProofStorage:Auth:AllowAnonymousReads</c>); when reads need a key no route answers with CORS headers.
/// <code>
/// "ProofStorage": { "Cors": { "Enabled": true, "AllowedOrigins": [ "*" ], "PreflightMaxAge": "01:00:00" } }
/// </code>
/// Checked at start-up by <see cref="ManifestCorsOptionsValidator"/>.
/// </summary>
public sealed class ManifestCorsOptions
{
    public const string SectionName = "ProofStorage:Cors";

    /// <summary>Answer cross-origin requests on the manifest routes (while reads are anonymous).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// <c>*</c> (any origin; the default, as for any public verification data), or a list of origins such as
    /// <c>https://verify.contentauthenticity.org</c> (scheme, host and port only).
    /// </summary>
    public string[]? AllowedOrigins { get; set; }

    /// <summary>How long a browser may reuse a preflight answer (<c>Access-Control-Max-Age</c>); 0 to 1 day.</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The origins in force: <see cref="AllowedOrigins"/>, or <c>*</c> when none are configured.</summary>
    internal IReadOnlyList<string> EffectiveOrigins => AllowedOrigins is { Length: > 0 } origins ? origins : ["*"];
}

/// <summary>Origins are <c>*</c> alone or absolute http(s) origins; the preflight lifetime is bounded.</summary>
internal sealed class ManifestCorsOptionsValidator : IValidateOptions<ManifestCorsOptions>
{
    public ValidateOptionsResult Validate(string? name, ManifestCorsOptions options)
    {
        var failures = new List<string>();
        var section = ManifestCorsOptions.SectionName;
        var origins = options.EffectiveOrigins;
        if (origins.Contains("*") && origins.Count > 1)
        {
            failures.Add($"{section}:AllowedOrigins holds '*' and other origins; '*' already allows every origin, give it alone.");
        }

        foreach (var origin in origins.Where(o => o != "*"))
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.AbsolutePath != "/" || origin.EndsWith('/') || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment)
                || !string.IsNullOrEmpty(uri.UserInfo))
            {
                failures.Add($"{section}:AllowedOrigins entry '{origin}' is not an origin: give scheme, host and optional port only, e.g. https://verify.example.org.");
            }
        }

        if (options.PreflightMaxAge < TimeSpan.Zero || options.PreflightMaxAge > TimeSpan.FromDays(1))
        {
            failures.Add($"{section}:PreflightMaxAge must be between 00:00:00 and 1.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// The one CORS policy of the service, <see cref="PolicyName"/>, put on the routes browsers verify with (the manifest
/// routes, the Soft Binding Resolution API's reads): ASP.NET Core's CORS middleware answers preflights and adds the headers,
/// built from <see cref="ManifestCorsOptions"/>. When CORS is off, or reads need a key, the policy allows no origin, so no
/// response carries a CORS header and a browser's cross-origin read fails.
/// </summary>
internal static class ManifestCors
{
    public const string PolicyName = "c2pa-readers";

    /// <summary>Registers the options section, its validator and the policy.</summary>
    public static IServiceCollection AddManifestCors(this IServiceCollection services)
    {
        services.AddOptions<ManifestCorsOptions>().BindConfiguration(ManifestCorsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ManifestCorsOptions>, ManifestCorsOptionsValidator>();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<ManifestCorsOptions>, ProofResponseHeaders>((cors, options, headers) =>
            cors.AddPolicy(PolicyName, Build(options.Value, headers.ReadsArePublic)));
        return services;
    }

    internal static CorsPolicy Build(ManifestCorsOptions options, bool readsArePublic)
    {
        var policy = new CorsPolicyBuilder();
        if (!options.Enabled || !readsArePublic)
        {
            // No origin is allowed: the middleware adds nothing, and a preflight gets no Access-Control-Allow-* headers.
            return policy.WithOrigins().Build();
        }

        var origins = options.EffectiveOrigins;
        if (origins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins([.. origins]);
        }

        return policy
            .WithMethods(HttpMethods.Get, HttpMethods.Head, HttpMethods.Post)
            .WithHeaders("Content-Type", "If-None-Match")
            .WithExposedHeaders("ETag", "Link")
            .SetPreflightMaxAge(options.PreflightMaxAge)
            .Build();
    }
}
