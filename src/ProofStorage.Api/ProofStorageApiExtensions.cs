using System.Globalization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Http;
using ProofStorage.Api.OpenApi;
using ProofStorage.Api.Security;
using ProofStorage.Caching.Redis;
using ProofStorage.Core;
using ProofStorage.Maintenance;
using ProofStorage.Providers.FileSystem;
using ProofStorage.Providers.S3;
using ProofStorage.Storage.Failover;
using ProofStorage.Api.Telemetry;
using Serilog;
using Serilog.Events;
using Serilog.Templates;

namespace ProofStorage.Api;

/// <summary>Everything the host needs, in one place so <c>Program.cs</c> stays a table of contents.</summary>
internal static class ProofStorageApiExtensions
{
    /// <summary>
    /// One line per event; events written inside a request (the request log among them) end with the W3C trace and
    /// span ids of its activity, which continue the caller's <c>traceparent</c> when one was sent.
    /// </summary>
    private static readonly ExpressionTemplate ConsoleTemplate = new(
        "[{@t:HH:mm:ss} {@l:u3}] {@m}{#if @tr is not null} (trace {@tr} span {@sp}){#end}\n{@x}", CultureInfo.InvariantCulture);

    public static WebApplicationBuilder AddProofStorageApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, logger) => logger
            // ASP.NET Core's own request logger: its "Request starting/finished" lines are replaced by the request log
            // (RequestLogMiddleware), yet while it is enabled at any level it opens a log scope per request (~1 % of a
            // cached read's CPU). Off unless the configuration names this category.
            .MinimumLevel.Override(RequestTraceContext.HostingDiagnosticsCategory, LevelAlias.Off)
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .WriteTo.Console(ConsoleTemplate));
        builder.AddProofStorageTelemetry();

        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) =>
        {
            kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });

        builder.Services.AddOptions<CdnOptions>().BindConfiguration(CdnOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CdnOptions>, CdnOptionsValidator>();
        builder.Services.AddSingleton<ProofResponseHeaders>();
        builder.Services.AddHttpClient(CdnPurgeWebhook.HttpClientName);
        builder.Services.AddSingleton<CdnPurgeWebhook>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CdnPurgeWebhook>());
        builder.Services.AddManifestCors();

        builder.AddProofStorageSecurity();
        builder.Services.AddHostedService<MemoryBudgetReport>();
        builder.Services.AddProofStorageCore();
        builder.Services.AddFileSystemStorageProvider();
        builder.Services.AddS3StorageProvider();
        builder.Services.AddFailoverStorage();
        builder.Services.AddRedisProofCache();
        builder.Services.AddScheduledScrub();

        // The W3C trace id, as in the log lines and spans (the caller's own when it sent a traceparent).
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity.TraceId.ToHexString()
                ?? context.HttpContext.TraceIdentifier);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();

        builder.Services.AddProofStorageOpenApi();
        return builder;
    }

    public static WebApplication UseProofStoragePipeline(this WebApplication app)
    {
        RequestTraceContext.Keep(app);
        // The request log is outside the exception handler, so it logs the status the client got (a problem's, or 499
        // when the client went away), not an exception on its way to being mapped; the handler logs a 5xx's exception.
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseExceptionHandler();
        app.UseMiddleware<StatusProblemMiddleware>();
        // Only /swagger requests pass through the document and UI middleware: every proof request skipped it
        // anyway, after a path match of its own (a measurable share of a cached GET's CPU).
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase), swagger => swagger
            .UseProofStorageOpenApi());
        // One route table, one access rule: shedding and access read the endpoint routing matched.
        app.UseRouting();

        // Before the access rule: a browser's preflight carries no key, and is answered here. Only routes with a CORS
        // policy pass through the CORS middleware: it takes its policy provider from the request's services, so on
        // every other route it cost a dependency-injection scope per request for nothing.
        app.UseWhen(context => context.GetEndpoint()?.Metadata.GetMetadata<ICorsMetadata>() is not null, cors => cors.UseCors());
        app.UseProofStorageSecurity();
        return app;
    }
}
