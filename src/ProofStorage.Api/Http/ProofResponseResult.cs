using Microsoft.Extensions.Primitives;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// The one way a representation of a stored proof is answered: the caching and <c>Link</c> headers of
/// <see cref="ProofResponseHeaders"/> with the representation's strong ETag, <c>If-None-Match</c> → <c>304</c>
/// (same headers, no body), <c>HEAD</c> → the <c>200</c> headers without the body, else the body. A subclass only
/// says which representation the request gets and what its bytes are. The result owns its document: the bytes stay
/// allocated until the body has been written, then it disposes it (however soon the cache evicted the proof).
/// </summary>
internal abstract class ProofResponseResult(ProofDocument document, ProofResponseHeaders proofHeaders) : IResult
{
    protected ProofDocument Document => document;

    public Task ExecuteAsync(HttpContext httpContext) =>
        DisposeAfter.Run(static s => s.Result.WriteAsync(s.Context), (Result: this, Context: httpContext), document);

    private Task WriteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        var representation = Select(request);
        proofHeaders.Apply(response, document.ProofId, representation.ETag);
        if (representation.Vary is { } vary)
        {
            response.Headers.Vary = vary;
        }

        if (IsNotModified(request.Headers.IfNoneMatch, representation))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        var (contentType, body) = Content(representation);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        if (representation.ContentEncoding is { } encoding)
        {
            response.Headers.ContentEncoding = encoding;
        }

        response.ContentLength = body.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    /// <summary>The representation this request gets (from its <c>Accept-Encoding</c>, for example).</summary>
    protected abstract Representation Select(HttpRequest request);

    /// <summary>Whether <c>If-None-Match</c> names the representation (or one equivalent to it).</summary>
    protected virtual bool IsNotModified(StringValues ifNoneMatch, Representation representation) =>
        ProofResponseHeaders.Matches(ifNoneMatch, representation.ETag);

    /// <summary>The media type and bytes of a <c>200</c>; only asked for when the answer is not a <c>304</c>.</summary>
    protected abstract (string ContentType, ReadOnlyMemory<byte> Body) Content(Representation representation);

    /// <summary>One representation of the proof: its strong ETag and the headers that tell it apart.</summary>
    protected readonly record struct Representation(string ETag, string? ContentEncoding = null, string? Vary = null);
}

/// <summary>
/// Endpoint metadata: the route answers with a <see cref="ProofResponseResult"/> (the headers of
/// <see cref="ProofResponseHeaders"/>, <c>If-None-Match</c> → <c>304</c>, <c>HEAD</c> without a body), so the OpenAPI
/// document describes those headers and the conditional request on it.
/// </summary>
internal sealed class ProofRepresentationMetadata
{
    public static ProofRepresentationMetadata Instance { get; } = new();

    private ProofRepresentationMetadata()
    {
    }
}

internal static class ProofRepresentationEndpointConventionExtensions
{
    /// <summary>A <c>200</c> of <paramref name="contentType"/> (and <paramref name="additionalContentTypes"/>) or a <c>304</c>, with the proof response headers.</summary>
    public static RouteHandlerBuilder ProducesProofRepresentation(this RouteHandlerBuilder builder, Type? responseType, string contentType,
        params string[] additionalContentTypes) =>
        builder
            .Produces(StatusCodes.Status200OK, responseType, contentType, additionalContentTypes)
            .Produces(StatusCodes.Status304NotModified)
            .WithMetadata(ProofRepresentationMetadata.Instance);
}
