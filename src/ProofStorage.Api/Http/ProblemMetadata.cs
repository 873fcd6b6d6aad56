namespace ProofStorage.Api.Http;

/// <summary>
/// Endpoint metadata: the <see cref="ProblemCatalogue"/> entries a route's own handler answers (not found, validation,
/// storage failures). What the pipeline answers around the handler (authentication, rate limits, load shedding, the
/// body reader) is read from the route's other metadata by <c>OpenApi.RouteProblems</c>, so it is never repeated here.
/// </summary>
internal sealed class ProducesProblemsMetadata(IReadOnlyList<ProblemKind> kinds)
{
    public IReadOnlyList<ProblemKind> Kinds { get; } = kinds;
}

internal static class ProblemEndpointConventionExtensions
{
    /// <summary>Declares the catalogue entries this route's handler can answer; the OpenAPI document lists each with its status.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params ProblemKind[] kinds)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesProblemsMetadata(kinds));
}
