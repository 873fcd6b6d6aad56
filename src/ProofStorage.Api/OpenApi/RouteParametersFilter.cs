using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ProofStorage.Api.OpenApi;

/// <summary>
/// Describes the route and query parameters the handlers share by name (minimal-API handlers take them as plain
/// arguments, which carry no documentation of their own). What each accepts is checked by the handler
/// (<c>ProofIds.IsValid</c>, <c>ImageHash.TryParse</c>); a refused value answers the validation problem.
/// </summary>
internal sealed class RouteParametersFilter : IParameterFilter
{
    public void Apply(IOpenApiParameter parameter, ParameterFilterContext context)
    {
        if (parameter is not OpenApiParameter described || !string.IsNullOrEmpty(described.Description))
        {
            return;
        }

        described.Description = described.Name switch
        {
            "proofId" => "The proof's id: the one a store returned (22 URL-safe characters) or a legacy id kept by the migration "
                + "(1-128 characters of A-Z, a-z, 0-9, '_' or '-').",
            "imageHash" => "SHA-256 of the image: 64 hexadecimal characters.",
            "expiresIn" => "Seconds a presigned URL should work, at least 1; longer than the configured maximum is shortened to it.",
            _ => null,
        };
    }
}
