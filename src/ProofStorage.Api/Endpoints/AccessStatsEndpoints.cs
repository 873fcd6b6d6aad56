using Microsoft.AspNetCore.Http.HttpResults;
using ProofStorage.Api.Contracts;
using ProofStorage.Api.Http;
using ProofStorage.Api.Security;
using ProofStorage.Core;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Endpoints;

/// <summary>Per-proof access counts for operators (the most-read and most-duplicated proofs are in <c>/v1/stats</c>).</summary>
internal static class AccessStatsEndpoints
{
    public static IEndpointRouteBuilder MapAccessStatsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/proofs/{proofId}/stats", GetProofAccess)
            .WithTags("Operations")
            .WithName("GetProofAccess")
            .RequireScope(ProofStorageScopes.Admin)
            .WithSummary("How often a proof was read and stored again, and when last")
            .WithDescription("Totals over every instance as of their last flush (ProofStorage:AccessTracking:FlushInterval). "
                + "404 when no such proof exists, or when access tracking is off (ProofStorage:AccessTracking:Enabled). Asking counts nothing.")
            .Produces<ProofAccessResponse>()
            .ProducesProblems(ProblemCatalogue.Validation, ProblemCatalogue.NotFound, ProblemCatalogue.StorageUnavailable);
        return app;
    }

    internal static async Task<Results<Ok<ProofAccessResponse>, ValidationProblem, ProblemHttpResult>> GetProofAccess(string proofId, StorageManager store,
        CancellationToken cancellationToken)
    {
        if (!ProofIds.IsValid(proofId))
        {
            return ProblemCatalogue.ValidationResult(new Dictionary<string, string[]>
            {
                ["proofId"] = ["A proof id is 1-128 characters of A-Z, a-z, 0-9, '_' or '-'."],
            });
        }

        if (!store.AccessTrackingEnabled)
        {
            return ProblemCatalogue.Result(ProblemCatalogue.NotFound, "Access tracking is off: set ProofStorage:AccessTracking:Enabled to true to count reads and duplicates.");
        }

        var counts = await store.GetAccessAsync(proofId, cancellationToken);
        return counts is null
            ? ProblemCatalogue.Result(ProblemCatalogue.NotFound, $"No proof has the id '{proofId}'.")
            : TypedResults.Ok(new ProofAccessResponse
            {
                ProofId = counts.ProofId,
                Reads = counts.Reads,
                Duplicates = counts.Duplicates,
                LastReadAt = counts.LastReadAt is { } read ? ProofRecord.FormatTimestamp(read) : null,
                LastDuplicateAt = counts.LastDuplicateAt is { } duplicate ? ProofRecord.FormatTimestamp(duplicate) : null,
            });
    }
}
