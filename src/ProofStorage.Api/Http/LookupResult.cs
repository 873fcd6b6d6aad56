using System.Text.Json;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// Writes <c>{"found":[records…],"missing":[ids…]}</c>, copying each record's stored JSON verbatim; owns the documents
/// and disposes them once written.
/// </summary>
internal sealed class LookupResult(IReadOnlyList<ProofDocument> found, IReadOnlyList<string> missing) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        try
        {
            await WriteAsync(httpContext);
        }
        finally
        {
            foreach (var document in found)
            {
                document.Dispose();
            }
        }
    }

    private async Task WriteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteStartArray("found"u8);
        foreach (var document in found)
        {
            writer.WriteRawValue(document.Json.Span, skipInputValidation: true);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("missing"u8);
        foreach (var id in missing)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
