using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using ProofStorage.Api.Http;
using ProofStorage.Api.Security;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ProofStorage.Api.OpenApi;

/// <summary>
/// Gives every operation its error responses from <see cref="RouteProblems"/>: one response per status, as
/// <c>application/problem+json</c>, naming each catalogue entry (type URN and title) with an example of each, and the
/// headers that come with them (<c>Retry-After</c>, <c>WWW-Authenticate</c>). Error responses inferred by ASP.NET Core
/// from the handler's signature are replaced, so the catalogue is the only source. It also states the operation's
/// security: none for anonymous routes, the API key otherwise, and the scope the key needs in the description.
/// </summary>
internal sealed class ProblemResponsesFilter : IOperationFilter
{
    private const string ProblemJson = "application/problem+json";

    /// <summary>A W3C trace id, as every problem carries one.</summary>
    private const string ExampleTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata.ToArray();
        var kinds = RouteProblems.For(metadata);

        operation.Responses ??= [];
        foreach (var status in operation.Responses.Keys.Where(IsError).ToList())
        {
            // Kept only when it describes something other than a problem (the readiness report on 503).
            if (operation.Responses[status] is OpenApiResponse { Content: { } content } declared
                && content.Keys.Any(type => !type.Equals(ProblemJson, StringComparison.OrdinalIgnoreCase)))
            {
                content.Remove(ProblemJson);
                continue;
            }

            operation.Responses.Remove(status);
        }

        foreach (var group in kinds.GroupBy(kind => kind.Status).OrderBy(group => group.Key))
        {
            AddProblems(operation, context, group.Key, [.. group]);
        }

        ApplySecurity(operation, context, metadata);
    }

    private static bool IsError(string status) =>
        int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code >= StatusCodes.Status400BadRequest;

    private static void AddProblems(OpenApiOperation operation, OperationFilterContext context, int status, IReadOnlyList<ProblemKind> kinds)
    {
        var key = status.ToString(CultureInfo.InvariantCulture);
        var schemaType = kinds.Contains(ProblemCatalogue.Validation) ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails);
        var media = new OpenApiMediaType
        {
            Schema = context.SchemaGenerator.GenerateSchema(schemaType, context.SchemaRepository),
            Examples = kinds.ToDictionary(kind => kind.Slug, kind => (IOpenApiExample)new OpenApiExample
            {
                Summary = kind.Title,
                Value = Example(kind),
            }),
        };

        var listing = string.Join("; ", kinds.Select(kind => $"`{kind.Type}` ({kind.Title})"));
        if (!operation.Responses!.TryGetValue(key, out var existing) || existing is not OpenApiResponse response)
        {
            response = new OpenApiResponse { Description = ReasonPhrase(status) + ": " + listing + "." };
            operation.Responses[key] = response;
        }
        else
        {
            response.Description = $"{response.Description}; or a problem: {listing}.";
        }

        response.Content ??= new Dictionary<string, IOpenApiMediaType>();
        response.Content[ProblemJson] = media;

        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        if (kinds.Any(kind => kind.RetryAfterSeconds is not null || kind == ProblemCatalogue.RateLimited))
        {
            response.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before trying again.",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1" },
            };
        }

        if (kinds.Contains(ProblemCatalogue.Unauthorized))
        {
            response.Headers["WWW-Authenticate"] = new OpenApiHeader
            {
                Description = "How to send the API key.",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                Example = JsonValue.Create(ApiKeyHeader.Challenge.ToString()),
            };
        }
    }

    private static JsonObject Example(ProblemKind kind)
    {
        var example = new JsonObject
        {
            ["type"] = kind.Type,
            ["title"] = kind.Title,
            ["status"] = kind.Status,
        };
        if (kind == ProblemCatalogue.Validation)
        {
            example["errors"] = new JsonObject { ["imageHash"] = new JsonArray("imageHash must be the SHA-256 of the image: 64 hexadecimal characters.") };
        }
        else
        {
            example["detail"] = ExampleDetail(kind);
        }

        example["traceId"] = ExampleTraceId;
        return example;
    }

    /// <summary>A typical detail; the catalogue's title when nothing more specific reads better.</summary>
    private static string ExampleDetail(ProblemKind kind) => kind.Slug switch
    {
        "malformed-request" => "The body is not valid JSON (line 1, byte 14), is nested deeper than 64, or repeats a property.",
        "unauthorized" => "Send an API key in the X-Api-Key header.",
        "forbidden" => "This API key lacks the scope this operation needs.",
        "not-found" => "No proof has the id 'q5mT0W1dN3f8S0aB7kLx2Q'.",
        "request-too-large" => "The body exceeds the limit of 8388608 bytes.",
        "unsupported-media-type" => "Send the body as application/json.",
        "rate-limited" => "This client's request rate is over its limit. Nothing was changed; retry after 1 s.",
        "storage-unavailable" => "The storage backend did not answer in time. Nothing was changed; retry later.",
        "overloaded" => "The service is at capacity. Nothing was changed; retry after the delay in Retry-After.",
        _ => kind.Title + ".",
    };

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";

    private static void ApplySecurity(OpenApiOperation operation, OperationFilterContext context, IReadOnlyList<object> metadata)
    {
        var access = EndpointAccess.For(metadata);
        if (access.Anonymous)
        {
            // One empty requirement: no credentials needed (an empty list would inherit the document's requirement).
            operation.Security = [new OpenApiSecurityRequirement()];
            return;
        }

        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyHeader.Scheme, context.Document)] = [] },
        ];

        var needs = access.Scope is not { } scope
            ? "Needs a valid API key."
            : $"Needs an API key with the `{scope.Scope}` scope"
                + (scope.OpenWhenReadsArePublic ? ", or none when `ProofStorage:Auth:AllowAnonymousReads` is on." : ".");
        operation.Description = string.IsNullOrEmpty(operation.Description) ? needs : operation.Description + "\n\n" + needs;
    }
}
