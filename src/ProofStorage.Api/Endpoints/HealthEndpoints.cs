using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProofStorage.Api.Security;
using ProofStorage.Api.Telemetry;

namespace ProofStorage.Api.Endpoints;

/// <summary>Orchestrator probes: liveness (process up) and readiness (every dependency checked). Anonymous; no secrets or addresses.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // Probes are never rate limited (an orchestrator polls from one address); liveness is never shed either.
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous().DisableRateLimiting();
        group.MapGet("/live", Live).WithName("Live").WithSummary("Liveness: the process answers (no dependency is checked)")
            .WithRequestClass(RequestClass.Unlimited);
        group.MapGet("/ready", Ready).WithName("Ready")
            .WithSummary("Readiness: each dependency checked; 503 when not ready, 200 when healthy or degraded")
            .Produces<HealthResponse>(StatusCodes.Status200OK)
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    internal static Ok<HealthResponse> Live(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new HealthResponse { Status = nameof(HealthStatus.Healthy), DurationMs = 0, Checks = [] });
    }

    internal static async Task<JsonHttpResult<HealthResponse>> Ready(HealthCheckService health, ReadinessStatus readiness, HttpContext context,
        CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains("ready"), cancellationToken);
        readiness.Record(report);
        context.Response.Headers.CacheControl = "no-store";
        var response = new HealthResponse
        {
            Status = report.Status.ToString(),
            DurationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            Checks = report.Entries.ToDictionary(e => e.Key, e => new HealthCheckEntry
            {
                Status = e.Value.Status.ToString(),
                Description = e.Value.Description,
                Data = e.Value.Data.Count == 0 ? null : e.Value.Data.ToDictionary(d => d.Key, d => d.Value),
            }),
        };
        return TypedResults.Json(response, statusCode: report.Status == HealthStatus.Unhealthy
            ? StatusCodes.Status503ServiceUnavailable
            : StatusCodes.Status200OK);
    }
}

/// <summary>A health report.</summary>
public sealed class HealthResponse
{
    /// <example>Healthy</example>
    public required string Status { get; init; }

    /// <example>3.2</example>
    public required double DurationMs { get; init; }

    public required Dictionary<string, HealthCheckEntry> Checks { get; init; }
}

/// <summary>One dependency's state.</summary>
public sealed class HealthCheckEntry
{
    /// <example>Healthy</example>
    public required string Status { get; init; }

    /// <example>writable</example>
    public string? Description { get; init; }

    public Dictionary<string, object>? Data { get; init; }
}
