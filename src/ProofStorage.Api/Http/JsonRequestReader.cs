using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using ProofStorage.Api.Security;

namespace ProofStorage.Api.Http;

/// <summary>
/// Reads a JSON request body under the configured byte limit and the in-flight body budget. The body is read by hand
/// (not model-bound) into native memory (no managed buffer the size of the body, nothing for the GC to sweep after a
/// large store) and parsed once where it lies, with repeated names refused: stores walk it with
/// <see cref="StoreRequestParser"/> (the <c>proof</c> value is handed on as the exact bytes sent, without a copy),
/// lookups get a <see cref="JsonDocument"/>.
/// </summary>
internal static class JsonRequestReader
{
    /// <summary>Headroom the parser gets beyond the depth a caller allows, for the request's own levels around a proof.</summary>
    private const int RequestWrapperDepth = 4;

    /// <summary>The parser's depth limit for a request whose values may nest <paramref name="maxDepth"/> levels.</summary>
    public static int ParserDepth(int maxDepth) => maxDepth + RequestWrapperDepth;

    /// <summary>
    /// Reads and parses a small JSON body into a document (lookups, C2PA queries) under <see cref="ApiOptions.QueryBodyLimit"/>:
    /// the document holds several times the body. Stores walk theirs with <see cref="StoreRequestParser"/>.
    /// </summary>
    public static async Task<(RequestJson? Json, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, ApiOptions limits, int maxDepth,
        RequestBodyBudget budget)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var (body, problem) = await ReadBodyAsync(request, limits.QueryBodyLimit, budget);
        if (problem is not null)
        {
            return (null, problem);
        }

        try
        {
            // Parsed where it lies: the document reads the body's memory, which lives until the RequestJson is disposed.
            var document = JsonDocument.Parse(body!.Written, new JsonDocumentOptions
            {
                MaxDepth = ParserDepth(maxDepth),
                AllowDuplicateProperties = false,
            });
            var json = new RequestJson(document, body);
            body = null;
            return (json, null);
        }
        catch (Exception ex) when (IsMalformed(ex))
        {
            return (null, Malformed(ex, body!.Written.Span, maxDepth));
        }
        finally
        {
            body?.Dispose();
        }
    }

    /// <summary>
    /// Reads a JSON body (<see cref="RequestBody.ReadAsync"/>: native memory, admitted against the in-flight budget first)
    /// and checks it is UTF-8: the caller parses <see cref="RequestBody.Written"/> and disposes the body (which gives the
    /// memory and the reservation back).
    /// </summary>
    public static async Task<(RequestBody? Body, ProblemHttpResult? Problem)> ReadBodyAsync(HttpRequest request, int maxBytes, RequestBodyBudget budget,
        int reserveFactor = 1)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, ProblemCatalogue.Result(ProblemCatalogue.UnsupportedMediaType, "Send the body as application/json."));
        }

        var (body, problem) = await RequestBody.ReadAsync(request, maxBytes, budget, reserveFactor);
        if (problem is not null)
        {
            return (null, problem);
        }

        // The proof is kept as the raw bytes sent, and the JSON reader does not check UTF-8 inside strings.
        if (!System.Text.Unicode.Utf8.IsValid(body!.Written.Span))
        {
            body.Dispose();
            return (null, BadRequest("The body is not valid UTF-8. Send JSON encoded as UTF-8."));
        }

        return (body, null);
    }

    /// <summary>Whether a parse failed because the body is malformed (not JSON, too deep, a repeated name, a bad escape in a name).</summary>
    public static bool IsMalformed(Exception exception) => exception is JsonException or RepeatedPropertyException or InvalidOperationException;

    /// <summary>The 400 for a body whose parse threw <paramref name="exception"/> (see <see cref="IsMalformed"/>).</summary>
    public static ProblemHttpResult Malformed(Exception exception, ReadOnlySpan<byte> body, int maxDepth) => exception switch
    {
        JsonException when NestsDeeperThan(body, ParserDepth(maxDepth)) =>
            BadRequest($"The body is nested deeper than allowed (a proof may nest {maxDepth} levels)."),
        JsonException json =>
            BadRequest($"The body is not valid JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}), is nested deeper than {maxDepth}, or repeats a property."),
        RepeatedPropertyException => BadRequest("The body is not valid JSON: an object repeats a property."),

        // A name escaping a lone surrogate (\ud800), refused by the repeated-name check.
        _ => BadRequest("The body holds a string escape that is not valid Unicode (a lone surrogate)."),
    };

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var type = mediaType.MediaType;
        if (!(type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))))
        {
            return false;
        }

        var charset = mediaType.Charset;
        return !charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// True when <paramref name="json"/> opens more than <paramref name="maxDepth"/> nested objects or arrays before any
    /// syntax error: the parser's failure was the depth limit, told apart by the reader's own depth count.
    /// </summary>
    internal static bool NestsDeeperThan(ReadOnlySpan<byte> json, int maxDepth)
    {
        // One level of headroom, so the reader reaches the first too-deep container instead of throwing at it.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth + 1 });
        try
        {
            while (reader.Read())
            {
                // CurrentDepth counts the containers around the token: an opening token at depth d is the (d+1)th level.
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= maxDepth)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            // A syntax error before any too-deep container.
        }

        return false;
    }

    internal static ProblemHttpResult BadRequest(string detail) => ProblemCatalogue.Result(ProblemCatalogue.MalformedRequest, detail);
}
