using ProofStorage.Api.Security;
using ProofStorage.Core;

namespace ProofStorage.Api.Endpoints;

/// <summary>Operational counters.</summary>
internal static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/stats", GetStats)
            .WithTags("Operations")
            .WithName("GetStats")
            .RequireScope(ProofStorageScopes.Admin)
            .WithSummary("Cache, dedup, storage and compression counters of this instance");
        return app;
    }

    internal static Microsoft.AspNetCore.Http.HttpResults.Ok<StorageSnapshot> GetStats(StorageManager store) =>
        TypedResults.Ok(store.GetStatistics());
}
