using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using ProofStorage.Api.Http;
using ProofStorage.Api.Security;

namespace ProofStorage.Api.OpenApi;

/// <summary>
/// Which <see cref="ProblemCatalogue"/> entries a route can answer, read from the same endpoint metadata the pipeline
/// acts on, so the OpenAPI document cannot claim a status the service never sends or miss one it does:
/// <list type="bullet">
/// <item>authorization metadata: a route that is not anonymous answers <c>401</c>; one that names a policy (a scope)
/// also <c>403</c>;</item>
/// <item>no <c>.DisableRateLimiting()</c>: the rate limiter's <c>429</c>;</item>
/// <item>no <c>.DisableLoadShedding()</c>: load shedding's <c>503 overloaded</c>;</item>
/// <item>a request body (<c>.Accepts&lt;T&gt;()</c>, read by <see cref="JsonRequestReader"/>): malformed (<c>400</c>), too
/// large (<c>413</c>), not JSON (<c>415</c>);</item>
/// <item>the handler's own answers, declared beside it with <c>.ProducesProblems(…)</c>.</item>
/// </list>
/// </summary>
internal static class RouteProblems
{
    public static IReadOnlyList<ProblemKind> For(IReadOnlyList<object> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var kinds = new List<ProblemKind>();
        if (!metadata.OfType<IAllowAnonymous>().Any())
        {
            // The fallback policy (no metadata) and a bare RequireAuthorization() only need a valid key; a named policy
            // also needs the key's scope.
            kinds.Add(ProblemCatalogue.Unauthorized);
            if (metadata.OfType<IAuthorizeData>().Any(data => data.Policy is not null))
            {
                kinds.Add(ProblemCatalogue.Forbidden);
            }
        }

        if (metadata.OfType<IAcceptsMetadata>().Any())
        {
            kinds.AddRange([ProblemCatalogue.MalformedRequest, ProblemCatalogue.RequestTooLarge, ProblemCatalogue.UnsupportedMediaType]);
        }

        foreach (var declared in metadata.OfType<ProducesProblemsMetadata>())
        {
            kinds.AddRange(declared.Kinds);
        }

        if (!metadata.OfType<DisableRateLimitingAttribute>().Any())
        {
            kinds.Add(ProblemCatalogue.RateLimited);
        }

        if (!LoadSheddingExemptMetadata.IsExempt(metadata))
        {
            kinds.Add(ProblemCatalogue.Overloaded);
        }

        return [.. kinds.Distinct()];
    }

    /// <summary>The scope a route's policy needs, when it names one (for the operation's description).</summary>
    public static string? RequiredPolicy(IReadOnlyList<object> metadata) =>
        metadata.OfType<IAllowAnonymous>().Any() ? null : metadata.OfType<IAuthorizeData>().Select(data => data.Policy).LastOrDefault(policy => policy is not null);
}
