using Microsoft.AspNetCore.Http.Metadata;
using ProofStorage.Api.Http;
using ProofStorage.Api.Security;

namespace ProofStorage.Api.OpenApi;

/// <summary>
/// Which <see cref="ProblemCatalogue"/> entries a route can answer, read from the same rule the pipeline acts on
/// (<see cref="EndpointAccess"/>, what <see cref="ApiAccessMiddleware"/> and <see cref="LoadSheddingMiddleware"/> read),
/// so the OpenAPI document cannot claim a status the service never sends or miss one it does:
/// <list type="bullet">
/// <item>a route that is not anonymous answers <c>401</c>; one that requires a scope also <c>403</c>;</item>
/// <item>a rate-limited route (no <c>.DisableRateLimiting()</c>): <c>429</c>;</item>
/// <item>a route that can be shed (not <see cref="RequestClass.Unlimited"/>): <c>503 overloaded</c>;</item>
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
        var access = EndpointAccess.For(metadata);
        var kinds = new List<ProblemKind>();
        if (!access.Anonymous)
        {
            // No scope declared: any valid key; a scope: also the key's scope.
            kinds.Add(ProblemCatalogue.Unauthorized);
            if (access.Scope is not null)
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

        if (access.RateLimited)
        {
            kinds.Add(ProblemCatalogue.RateLimited);
        }

        if (access.Class != RequestClass.Unlimited)
        {
            kinds.Add(ProblemCatalogue.Overloaded);
        }

        return [.. kinds.Distinct()];
    }
}
