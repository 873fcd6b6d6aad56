using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ProofStorage.Api.Security;

/// <summary>API keys and scopes, per-client rate limits, load shedding, the body byte budget and graceful shutdown.</summary>
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

        services.AddSingleton<IValidateOptions<OverloadOptions>, OverloadOptionsValidator>();
        services.AddSingleton<RequestBodyBudget>();

        services.AddOptions<HostOptions>().Configure<IOptions<OverloadOptions>>((host, overload) => host.ShutdownTimeout = overload.Value.ShutdownTimeout);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<OverloadOptions>>((kestrel, overload) =>
        {
            kestrel.Limits.MaxConcurrentConnections = overload.Value.MaxConnections;
            kestrel.Limits.MaxRequestBufferSize = overload.Value.ConnectionReadBufferBytes;
        });
        services.AddOptions<SocketTransportOptions>().Configure<IOptions<OverloadOptions>>((sockets, overload) =>
            sockets.MaxReadBufferSize = overload.Value.ConnectionReadBufferBytes);

        services.ConfigureSwaggerGen(AddSwaggerSecurity);
        return builder;
    }

    /// <summary>
    /// Shedding first (cheapest, per request class), then who is calling, their rate and what they may do
    /// (<see cref="ApiAccessMiddleware"/>). Both read the endpoint routing matched, so they run after routing.
    /// </summary>
    public static WebApplication UseProofStorageSecurity(this WebApplication app)
    {
        app.UseMiddleware<LoadSheddingMiddleware>();
        app.UseMiddleware<ApiAccessMiddleware>();
        return app;
    }

    private static void AddSwaggerSecurity(SwaggerGenOptions options)
    {
        options.AddSecurityDefinition(ApiKeyHeader.Scheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyHeader.Name,
            Description = "An API key (scopes proofs:read, proofs:write, proofs:delete, admin). Not needed in Development when no key is configured.",
        });
        options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiKeyHeader.Scheme, document)] = [],
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
