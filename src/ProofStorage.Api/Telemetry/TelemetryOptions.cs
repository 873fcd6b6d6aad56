using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ProofStorage.Api.Telemetry;

/// <summary>
/// Metrics and traces (OpenTelemetry). Read once at start-up: changing them needs a restart.
/// <code>
/// "ProofStorage": { "Telemetry": { "ServiceName": "proofstorage",
///   "MetricsEnabled": true, "MetricsPath": "/metrics", "MetricsRequireApiKey": false, "RuntimeMetrics": true,
///   "TracingEnabled": true, "TraceSamplingRatio": 1.0, "SlowRequestThreshold": "00:00:01" } }
/// </code>
/// OTLP export (metrics and traces) is on only when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or a
/// signal's <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> / <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>) is set, as an
/// environment variable or a top-level configuration key; the other <c>OTEL_*</c> variables apply as usual.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "ProofStorage:Telemetry";

    /// <summary>The <c>service.name</c> resource attribute (<c>OTEL_SERVICE_NAME</c>, when set, wins).</summary>
    [Required]
    public string ServiceName { get; set; } = "proofstorage";

    /// <summary>Collect metrics and serve the Prometheus scrape endpoint.</summary>
    public bool MetricsEnabled { get; set; } = true;

    /// <summary>Path of the Prometheus scrape endpoint (text exposition format).</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// When true, a scrape needs an API key with the <c>admin</c> scope (as <c>/v1/stats</c>). Off by default:
    /// scrapers, like probes, usually hold no key, and the figures hold no proof data; keep the port private instead.
    /// </summary>
    public bool MetricsRequireApiKey { get; set; }

    /// <summary>Also export the .NET runtime's own meter (<c>System.Runtime</c>: GC, thread pool, exceptions).</summary>
    public bool RuntimeMetrics { get; set; } = true;

    /// <summary>Record spans (ASP.NET Core, HttpClient, the store's own). Off: trace ids still reach the logs.</summary>
    public bool TracingEnabled { get; set; } = true;

    /// <summary>Share of new traces recorded (0-1); a request that arrives with a sampled parent is always recorded.</summary>
    [Range(0.0, 1.0)]
    public double TraceSamplingRatio { get; set; } = 1.0;

    /// <summary>A request taking at least this long is logged at <c>Warning</c> (category <c>ProofStorage.Api.Requests</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SlowRequestThreshold { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Cross-field rules of <see cref="TelemetryOptions"/>.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    private static readonly string[] ReservedPrefixes = ["/v1", "/health", "/swagger"];

    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var path = options.MetricsPath;
        if (string.IsNullOrWhiteSpace(path) || path[0] != '/' || path.Length < 2 || path.Contains('?', StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Fail($"{TelemetryOptions.SectionName}:MetricsPath is '{path}'; use an absolute path such as /metrics.");
        }

        if (ReservedPrefixes.Any(p => new PathString(path).StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            return ValidateOptionsResult.Fail(
                $"{TelemetryOptions.SectionName}:MetricsPath is '{path}', inside a path the API uses ({string.Join(", ", ReservedPrefixes)}); use e.g. /metrics.");
        }

        return ValidateOptionsResult.Success;
    }
}
