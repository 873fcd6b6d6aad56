using ProofStorage.Api.Security;
using ProofStorage.Core;
using ProofStorage.Core.Access;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Maintenance.Scheduling;

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
            .WithSummary("Cache, dedup, storage and compression counters of this instance, and its scheduled scrub");
        return app;
    }

    internal static Microsoft.AspNetCore.Http.HttpResults.Ok<StatsResponse> GetStats(StorageManager store, ScrubStatus scrub)
    {
        var snapshot = store.GetStatistics();
        return TypedResults.Ok(new StatsResponse(snapshot.Cache, snapshot.Dedup, snapshot.Compression, snapshot.Storage, snapshot.IntegrityFailures, scrub.Snapshot)
        {
            Access = snapshot.Access,
        });
    }
}

/// <summary>The store's figures (<see cref="StorageSnapshot"/>) and the scheduled scrub's.</summary>
internal sealed record StatsResponse(CacheSnapshot Cache, DedupSnapshot Dedup, CompressionSnapshot Compression, IReadOnlyList<ProviderSnapshot> Storage,
    long IntegrityFailures, ScrubSnapshot Scrub)
{
    /// <summary>Access tracking: this instance's figures and the most-read and most-duplicated proofs (absent when tracking is off).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public AccessSnapshot? Access { get; init; }
}
