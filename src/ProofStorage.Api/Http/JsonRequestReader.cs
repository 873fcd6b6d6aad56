using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ProofStorage.Api.Http;

/// <summary>
/// Reads a JSON request body under the configured byte limit and parses it with duplicate keys rejected. The
/// body is read by hand (not model-bound) so the <c>proof</c> value can be kept as the exact bytes sent.
/// </summary>
internal static class JsonRequestReader
{
    /// <summary>Headroom the parser gets beyond the depth a caller allows, for the request's own levels around a proof.</summary>
    private const int RequestWrapperDepth = 4;

    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, int maxBytes, int maxDepth)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, ProblemCatalogue.Result(ProblemCatalogue.UnsupportedMediaType, "Send the body as application/json."));
        }

        var (body, problem) = await RequestBody.ReadAsync(request, maxBytes);
        if (problem is not null)
        {
            return (null, problem);
        }

        // The proof is kept as the raw bytes sent, and the JSON reader does not check UTF-8 inside strings.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return (null, BadRequest("The body is not valid UTF-8. Send JSON encoded as UTF-8."));
        }

        var parserDepth = maxDepth + RequestWrapperDepth;
        try
        {
            var document = JsonDocument.Parse(body, new JsonDocumentOptions
            {
                MaxDepth = parserDepth,
                AllowDuplicateProperties = false,
            });
            return (document, null);
        }
        catch (JsonException) when (NestsDeeperThan(body, parserDepth))
        {
            return (null, BadRequest($"The body is nested deeper than allowed (a proof may nest {maxDepth} levels)."));
        }
        catch (JsonException ex)
        {
            return (null, BadRequest($"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}), is nested deeper than {maxDepth}, or repeats a property."));
        }
        catch (InvalidOperationException)
        {
            // Thrown by the duplicate-property check for a name holding a lone surrogate escape (\ud800).
            return (null, BadRequest("The body holds a string escape that is not valid Unicode (a lone surrogate)."));
        }
    }

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
