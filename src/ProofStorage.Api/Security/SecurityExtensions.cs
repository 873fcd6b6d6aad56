using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using ProofStorage.Api.Http;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ProofStorage.Api.Security;

/// <summary>API-key authentication, per-scope policies, per-client rate limits, load shedding and graceful shutdown.</summary>
internal static class SecurityExtensions
{
    public static WebApplicationBuilder AddProofStorageSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OverloadOptions>().BindConfiguration(OverloadOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApiKeyStore>();
        services.AddHostedService<AuthStartupReport>();

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(ProofStoragePolicies.Read, p => p.AddRequirements(new ScopeRequirement(ProofStorageScopes.Read, AnonymousWhenReadsArePublic: true)))
            .AddPolicy(ProofStoragePolicies.Write, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(ProofStorageScopes.Write, false)))
            .AddPolicy(ProofStoragePolicies.Delete, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(ProofStorageScopes.Delete, false)))
            .AddPolicy(ProofStoragePolicies.Admin, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(ProofStorageScopes.Admin, false)))
            // An endpoint that forgot to say what it needs is not open: it needs a valid key.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = ProblemCatalogue.RateLimited.Status;
            options.OnRejected = OnRateLimitedAsync;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                // Routes marked .DisableRateLimiting() (the probes, the scrape) never reach the limiter: the middleware skips them.
                var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var keyName = context.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : null;
                return keyName is not null
                    ? RateLimitPartition.GetTokenBucketLimiter("key:" + keyName, _ => Bucket(limits.KeyPermitsPerSecond, limits.KeyBurst))
                    : RateLimitPartition.GetTokenBucketLimiter("ip:" + context.Connection.RemoteIpAddress,
                        _ => Bucket(limits.AnonymousPermitsPerSecond, limits.AnonymousBurst));
            });
        });

        services.AddOptions<HostOptions>().Configure<IOptions<OverloadOptions>>((host, overload) => host.ShutdownTimeout = overload.Value.ShutdownTimeout);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<OverloadOptions>>((kestrel, overload) =>
            kestrel.Limits.MaxConcurrentConnections = overload.Value.MaxConnections);

        services.ConfigureSwaggerGen(AddSwaggerSecurity);
        return builder;
    }

    /// <summary>Shedding first (cheapest), then who is calling, their rate, and what they may do.</summary>
    public static WebApplication UseProofStorageSecurity(this WebApplication app)
    {
        app.UseMiddleware<LoadSheddingMiddleware>();
        app.UseAuthentication();

        if (RateLimitsApply(app.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value, app.Services.GetRequiredService<ApiKeyStore>()))
        {
            app.UseRateLimiter();
        }

        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// Off, or nothing to tell callers apart (authentication off: Development without a key): then no limiter runs at
    /// all, rather than one that hands every request a no-op lease.
    /// </summary>
    internal static bool RateLimitsApply(RateLimitOptions limits, ApiKeyStore keys) => limits.Enabled && !keys.Disabled;

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = Math.Max(burst, 1),
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static async ValueTask OnRateLimitedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        SecurityLog.RateLimited(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ProofStorage.Api.Security"),
            http.User.Identity?.Name ?? "anonymous");
        await ProblemCatalogue.WriteAsync(http.RequestServices.GetRequiredService<IProblemDetailsService>(), http, ProblemCatalogue.RateLimited,
            $"This client's request rate is over its limit. Nothing was changed; retry after {retryAfter} s.", retryAfter);
    }

    private static void AddSwaggerSecurity(SwaggerGenOptions options)
    {
        options.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "An API key (scopes proofs:read, proofs:write, proofs:delete, admin). Not needed in Development when no key is configured.",
        });
        options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
        });
    }
}

/// <summary>Says at start-up, loudly when it matters, whether keys are required.</summary>
internal sealed class AuthStartupReport(ApiKeyStore keys, IOptions<AuthOptions> options, ILogger<AuthStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.Disabled)
        {
            SecurityLog.AuthenticationDisabled(logger);
        }
        else
        {
            SecurityLog.AuthenticationEnabled(logger, options.Value.Keys.Count, keys.AllowAnonymousReads);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
