using Microsoft.OpenApi;
using ProofStorage.Api.Http;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Model;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ProofStorage.Api.OpenApi;

/// <summary>
/// Describes a C2PA manifest store sent as the request body: <c>application/c2pa</c> bytes (not a JSON schema, which
/// <c>.Accepts&lt;T&gt;(…)</c> would give every media type it names), and, on routes marked with
/// <see cref="ManifestStoreQueryMetadata"/>, the query parameters that come with it (<see cref="ManifestStoreRequest"/>).
/// </summary>
internal sealed class ManifestStoreBodyFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (operation.RequestBody is not OpenApiRequestBody { Content: { } content } || !content.ContainsKey(ProofMediaTypes.C2pa))
        {
            return;
        }

        content[ProofMediaTypes.C2pa] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
        if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ManifestStoreQueryMetadata>().Any())
        {
            return;
        }

        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = ManifestStoreRequest.ImageHashParameter,
            In = ParameterLocation.Query,
            Description = "With application/c2pa only: SHA-256 of the image (64 hexadecimal characters); without it the proof is named by "
                + "the active manifest's id.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9a-fA-F]{64}$" },
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = ManifestStoreRequest.SoftBindingParameter,
            In = ParameterLocation.Query,
            Description = "With application/c2pa only, repeatable: a soft binding, {alg}:{base64 value}, alg a name from the C2PA soft binding "
                + "algorithm list (e.g. " + SoftBindingAlgorithms.All[0].Alg + ").",
            Style = ParameterStyle.Form,
            Explode = true,
            Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        });
    }
}

/// <summary>Endpoint metadata: the route takes a raw manifest store with <see cref="ManifestStoreRequest"/>'s query parameters.</summary>
internal sealed class ManifestStoreQueryMetadata
{
    public static ManifestStoreQueryMetadata Instance { get; } = new();

    private ManifestStoreQueryMetadata()
    {
    }
}
