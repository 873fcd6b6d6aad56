using System.Reflection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ProofStorage.Api.OpenApi;

/// <summary>
/// Marks as <c>required</c> every property the service always writes: one whose CLR type cannot be null (a value type
/// that is not <c>Nullable&lt;T&gt;</c>, or a reference type not annotated <c>?</c>). System.Text.Json writes those on
/// every response, so typed clients can read them without null checks; a nullable one stays optional.
/// </summary>
internal sealed class AlwaysPresentSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (schema is not OpenApiSchema { Properties.Count: > 0 } objectSchema || context.Type.IsPrimitive || context.Type == typeof(string))
        {
            return;
        }

        var nullability = new NullabilityInfoContext();
        foreach (var property in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = objectSchema.Properties.Keys.FirstOrDefault(key => key.Equals(property.Name, StringComparison.OrdinalIgnoreCase));
            if (name is null || nullability.Create(property).ReadState != NullabilityState.NotNull)
            {
                continue;
            }

            objectSchema.Required ??= new HashSet<string>(StringComparer.Ordinal);
            objectSchema.Required.Add(name);
        }
    }
}
