using System.Globalization;
using Microsoft.Extensions.Primitives;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// Serves a cached proof document as it is: the stored gzip bytes to clients that accept gzip, the record
/// JSON otherwise. Strong ETags per representation, <c>If-None-Match</c> → <c>304</c>, <c>HEAD</c> without body,
/// and the caching and <c>Link</c> headers of <see cref="ProofResponseHeaders"/>.
/// </summary>
internal sealed class ProofDocumentResult(ProofDocument document, ProofResponseHeaders proofHeaders) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        var gzip = AcceptsGzip(request.Headers.AcceptEncoding);
        var headers = response.Headers;
        proofHeaders.Apply(response, document.ProofId, gzip ? document.GzipETag : document.ETag);
        headers.Vary = "Accept-Encoding";

        // Either representation's tag counts: both name the same immutable record.
        if (ProofResponseHeaders.Matches(request.Headers.IfNoneMatch, document.ETag, document.GzipETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        var body = gzip ? document.Gzip : document.Json;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        if (gzip)
        {
            headers.ContentEncoding = "gzip";
        }

        response.ContentLength = body.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }

    private static bool AcceptsGzip(StringValues acceptEncoding)
    {
        foreach (var value in acceptEncoding)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
            {
                var semicolon = part.IndexOf(';', StringComparison.Ordinal);
                var coding = semicolon < 0 ? part : part[..semicolon].TrimEnd();
                if (!coding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                // "gzip;q=0" means "not gzip".
                var quality = 1.0;
                if (semicolon >= 0)
                {
                    var parameter = part[(semicolon + 1)..].Trim();
                    if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                        && double.TryParse(parameter.AsSpan(2), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed))
                    {
                        quality = parsed;
                    }
                }

                return quality > 0;
            }
        }

        return false;
    }
}
