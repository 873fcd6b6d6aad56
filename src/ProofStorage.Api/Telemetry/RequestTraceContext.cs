using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace ProofStorage.Api.Telemetry;

/// <summary>
/// Every request runs inside an <see cref="Activity"/> that continues the caller's <c>traceparent</c> (or starts a trace),
/// so the request log and ProblemDetails carry its trace id, even when no tracer exports spans. ASP.NET Core starts that
/// activity only for a listener of its <c>Microsoft.AspNetCore</c> source or for its own request logger
/// (<see cref="HostingDiagnosticsCategory"/>), which the service turns off because of its per-request log scope. Without
/// OTLP tracing, this listener asks for propagation only: ids, no recorded span, no tags.
/// </summary>
internal static class RequestTraceContext
{
    /// <summary>ASP.NET Core's request logger category.</summary>
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private const string HostingSourceName = "Microsoft.AspNetCore";

    /// <summary>Listens for the host's lifetime when tracing does not already (called while the pipeline is built).</summary>
    public static void Keep(WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (options.TracingEnabled && TelemetryExtensions.OtlpEndpointConfigured(app.Configuration, "TRACES"))
        {
            return;
        }

        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == HostingSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
        };
        ActivitySource.AddActivityListener(listener);
        app.Lifetime.ApplicationStopped.Register(listener.Dispose);
    }
}
