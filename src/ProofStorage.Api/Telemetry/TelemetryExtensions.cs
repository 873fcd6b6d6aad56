using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ProofStorage.Api.Security;
using ProofStorage.Core.Diagnostics;

namespace ProofStorage.Api.Telemetry;

/// <summary>
/// OpenTelemetry for the host: metrics (the store's <c>ProofStorage</c> meter, ASP.NET Core, HttpClient — which
/// carries the S3/R2 calls —, optionally the runtime) served for Prometheus and, with an OTLP endpoint, pushed;
/// traces (ASP.NET Core, HttpClient, the store's <c>ProofStorage</c> activity source) exported over OTLP.
/// </summary>
internal static class TelemetryExtensions
{
    /// <summary>The .NET runtime's built-in meter (GC, JIT, thread pool, exceptions).</summary>
    private const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// Request duration and active requests (hosting), connections and TLS (Kestrel), unhandled exceptions (diagnostics).
    /// </summary>
    private static readonly string[] AspNetCoreMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics"];

    /// <summary>ASP.NET Core's requests-in-progress instrument, which the service does not export.</summary>
    internal const string ActiveRequestsInstrument = "http.server.active_requests";

    public static WebApplicationBuilder AddProofStorageTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());

        // The pipeline's shape is fixed when the host is built, so the section is read here; ValidateOnStart reports bad values.
        var configuration = builder.Configuration;
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otel = services.AddOpenTelemetry().ConfigureResource(resource =>
        {
            if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
            {
                resource.AddService(options.ServiceName, serviceVersion: ServiceVersion());
            }
        });

        // The last readiness probe's answer, exported as proofstorage.health.status.
        services.TryAddSingleton<ReadinessStatus>();
        if (options.MetricsEnabled)
        {
            otel.WithMetrics(metrics =>
            {
                // ASP.NET Core's meters by name rather than AddAspNetCoreInstrumentation(), which also listens to the
                // memory pool's and routing's per-request instruments (a counter update per pooled block, per match):
                // measured at ~8 % of a cached read's CPU, for figures nobody alerts on.
                metrics.AddMeter(ProofStorageMetrics.MeterName)
                    .AddMeter(AspNetCoreMeters)
                    // Requests in progress: an up-down counter updated twice per request (~2 % of a cached read's CPU)
                    // that no dashboard or alert reads; saturation shows in the overload metrics and the duration histogram.
                    .AddView(ActiveRequestsInstrument, MetricStreamConfiguration.Drop)
                    .AddHttpClientInstrumentation()
                    // Scrapes are seconds apart: a cached response would only hide the latest figures.
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (options.RuntimeMetrics)
                {
                    metrics.AddMeter(RuntimeMeterName);
                }

                if (OtlpEndpointConfigured(configuration, "METRICS"))
                {
                    metrics.AddOtlpExporter();
                }
            });
        }

        // Spans are recorded only when they can go somewhere: without an exporter they would cost allocations for
        // nothing. The request log carries the trace id either way (ASP.NET Core starts the request's activity).
        if (options.TracingEnabled && OtlpEndpointConfigured(configuration, "TRACES"))
        {
            otel.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSamplingRatio)))
                .AddSource(ProofStorageActivities.SourceName)
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsProbeOrScrape(context.Request.Path, options.MetricsPath))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>The Prometheus scrape endpoint (text format), anonymous unless <see cref="TelemetryOptions.MetricsRequireApiKey"/>.</summary>
    public static IEndpointRouteBuilder MapTelemetryEndpoints(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (!options.MetricsEnabled)
        {
            return app;
        }

        var endpoint = app.MapPrometheusScrapingEndpoint(options.MetricsPath)
            .WithName("Metrics")
            .WithDisplayName("Prometheus scrape endpoint")
            .ExcludeFromDescription()
            .DisableRateLimiting()
            .WithRequestClass(RequestClass.Unlimited);
        if (options.MetricsRequireApiKey)
        {
            endpoint.RequireScope(ProofStorageScopes.Admin);
        }
        else
        {
            endpoint.AllowAnonymous();
        }

        return app;
    }

    /// <summary>Whether OTLP has an endpoint for a signal (<c>TRACES</c>, <c>METRICS</c>), by the standard variables.</summary>
    internal static bool OtlpEndpointConfigured(IConfiguration configuration, string signal) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        || !string.IsNullOrWhiteSpace(configuration[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"]);

    internal static bool IsProbeOrScrape(PathString path, string metricsPath) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(metricsPath, StringComparison.OrdinalIgnoreCase);

    private static string? ServiceVersion() =>
        typeof(TelemetryExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
}
