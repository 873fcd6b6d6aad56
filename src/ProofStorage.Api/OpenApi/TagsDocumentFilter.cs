using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ProofStorage.Api.OpenApi;

/// <summary>
/// Describes each tag the operations use (<c>.WithTags(…)</c> on the endpoint groups). A tag without a description
/// here is still listed, without one, and the linter's <c>tag-description</c> rule fails the build on it.
/// </summary>
internal sealed class TagsDocumentFilter : IDocumentFilter
{
    private static readonly (string Name, string Description)[] Known =
    [
        ("Proofs", "Store, read and delete the proofs of images. A proof is stored once per image (SHA-256): storing it again "
            + "answers the existing one. Reads are cacheable forever under their strong ETag."),
        ("C2PA Soft Binding Resolution API", "The C2PA Soft Binding Resolution API (C2PA 2.4, API version 2.3.0): find a manifest store by a "
            + "watermark or fingerprint value, fetch it by its manifest id (application/c2pa), and store manifests and bindings (the decoupled "
            + "profile). Shapes as published; errors are this service's problems. See docs/c2pa.md."),
        ("Operations", "Counters of this instance for operators."),
        ("Health", "Orchestrator probes: anonymous, never rate limited."),
    ];

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(swaggerDoc);
        var used = swaggerDoc.Paths.Values
            .SelectMany(path => path.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(operation => operation.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(tag => tag.Name)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var tags = new HashSet<OpenApiTag>();
        foreach (var (name, description) in Known.Where(known => used.Contains(known.Name)))
        {
            tags.Add(new OpenApiTag { Name = name, Description = description });
        }

        foreach (var name in used.Where(name => !Known.Any(known => known.Name == name)).Order(StringComparer.Ordinal))
        {
            tags.Add(new OpenApiTag { Name = name });
        }

        swaggerDoc.Tags = tags;
    }
}
