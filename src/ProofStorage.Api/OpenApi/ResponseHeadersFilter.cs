using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using ProofStorage.Api.Http;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ProofStorage.Api.OpenApi;

/// <summary>
/// What the response types alone do not say: the headers of a proof representation (<see cref="ProofRepresentationMetadata"/>:
/// <c>ETag</c>, <c>Cache-Control</c>, <c>Link</c>, and the <c>If-None-Match</c> that turns it into a <c>304</c>),
/// <c>Location</c> on a <c>201</c>, the binary media types of the proof document, and that a <c>HEAD</c> answer has
/// no body.
/// </summary>
internal sealed class ResponseHeadersFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        operation.Responses ??= [];
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ProofRepresentationMetadata>().Any())
        {
            DescribeProofRepresentation(operation);
        }

        if (operation.Responses.TryGetValue("201", out var created) && created is OpenApiResponse createdResponse)
        {
            createdResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
            createdResponse.Headers["Location"] = Header("The new proof's path.", "/v1/proofs/q5mT0W1dN3f8S0aB7kLx2Q");
        }

        if (HttpMethods.IsHead(context.ApiDescription.HttpMethod ?? string.Empty))
        {
            // The headers of the GET, never a body (problems included).
            foreach (var response in operation.Responses.Values.OfType<OpenApiResponse>())
            {
                response.Content?.Clear();
            }
        }
    }

    private static void DescribeProofRepresentation(OpenApiOperation operation)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "If-None-Match",
            In = ParameterLocation.Header,
            Required = false,
            Description = "ETags the caller holds (either representation's); a match answers 304 with no body.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            Example = JsonValue.Create("\"dQel3Y_U6XGS-YglodhROg\""),
        });

        foreach (var status in new[] { "200", "304" })
        {
            if (!operation.Responses!.TryGetValue(status, out var found) || found is not OpenApiResponse response)
            {
                continue;
            }

            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers["ETag"] = Header("Strong ETag of this representation; a proof never changes under its id.", "\"dQel3Y_U6XGS-YglodhROg\"", required: true);
            response.Headers["Cache-Control"] = Header("A year, immutable; public only when anyone may read.", "private, max-age=31536000, immutable", required: true);
            response.Headers["Link"] = Header("The proof document (C2PA remote manifest).", "</v1/proofs/q5mT0W1dN3f8S0aB7kLx2Q/manifest>; rel=\"c2pa-manifest\"", required: true);
            if (status == "304")
            {
                response.Description = "Not Modified: the If-None-Match tag matches; no body.";
            }

            if (response.Content is { } content)
            {
                foreach (var type in content.Keys.Where(type => !type.Contains("json", StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    // A proof document stored with a binary media type (e.g. application/c2pa) is served as its bytes.
                    content[type] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
                }
            }
        }
    }

    private static OpenApiHeader Header(string description, string example, bool required = false) => new()
    {
        Description = description,
        Required = required,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        Example = JsonValue.Create(example),
    };
}
