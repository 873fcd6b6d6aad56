using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// Serves the proof document on its own (the <c>proof</c> value's bytes with its media type, see
/// <see cref="ProofMediaTypes"/>), so a C2PA reader given a remote-manifest URL can fetch it directly. Its ETag is
/// the record's with a <c>.m</c> suffix: strong, and distinct from the record representations.
/// </summary>
internal sealed class ProofManifestResult(ProofDocument document, ProofResponseHeaders proofHeaders) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        var etag = string.Concat(document.ETag.AsSpan(0, document.ETag.Length - 1), ".m\"");
        proofHeaders.Apply(response, document.ProofId, etag);
        if (ProofResponseHeaders.Matches(request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        var content = ProofRecord.ReadProofDocument(document.Json);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = content.MediaType;
        response.ContentLength = content.Content.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(content.Content, httpContext.RequestAborted).AsTask();
    }
}
