using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using ProofStorage.Api.Http;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ProofStorage.Api.OpenApi;

/// <summary>
/// The problem schemas as the service fills them: <c>type</c>, <c>title</c> and <c>status</c> always (from
/// <see cref="ProblemCatalogue"/>), and the <c>traceId</c> every problem carries, so typed clients get them as fields.
/// </summary>
internal sealed class ProblemDetailsSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!typeof(ProblemDetails).IsAssignableFrom(context.Type) || schema is not OpenApiSchema problem || problem.Properties is null)
        {
            return;
        }

        problem.Description = "An RFC 9457 problem. Branch on `type`, a stable URN of the catalogue (`" + ProblemKind.TypePrefix + "<slug>`); "
            + "`detail` says what happened this time.";
        problem.Required ??= new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in new[] { "type", "title", "status" })
        {
            problem.Required.Add(name);
            if (problem.Properties.TryGetValue(name, out var property) && property is OpenApiSchema value)
            {
                // Always present, so never null.
                value.Type &= ~JsonSchemaType.Null;
            }
        }

        // One 400 response carries both the validation problem (with errors) and a malformed request (without), so
        // the schema the response names cannot require them.
        problem.Required.Remove("errors");

        if (problem.Properties.TryGetValue("type", out var type) && type is OpenApiSchema typeSchema)
        {
            typeSchema.Description = "The kind of failure: " + string.Join(", ", ProblemCatalogue.All.Select(kind => $"`{kind.Type}`")) + ".";
        }

        problem.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The W3C trace id of the request (the caller's own when it sent a traceparent); it finds the request in the service's logs.",
        };
    }
}
