using Microsoft.Net.Http.Headers;
using ProofStorage.Core;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// A C2PA manifest store sent as its raw bytes (<c>Content-Type: application/c2pa</c>) and what comes with it in the query
/// string: <c>imageHash</c> (optional), <c>metadata.{key}={value}</c> (repeatable, the JSON contract's limits) and
/// <c>softBinding={alg}:{base64 value}</c> (repeatable). Reads the request's shape only: whether the bytes are a manifest
/// store the Core decides (<see cref="ProofWritePipeline"/>), once.
/// </summary>
/// <remarks>
/// Query parameters rather than headers: metadata is Unicode, which a header cannot carry faithfully. Unknown parameters are
/// refused, so a misspelt <c>softbinding</c> is a 400, not a binding silently dropped (names compare case-insensitively).
/// </remarks>
internal static class ManifestStoreRequest
{
    public const string ImageHashParameter = "imageHash";
    public const string MetadataPrefix = "metadata.";
    public const string SoftBindingParameter = "softBinding";

    /// <summary>True for <c>application/c2pa</c> (or its deprecated name <c>application/x-c2pa-manifest-store</c>), parameters ignored.</summary>
    public static bool IsManifestStore(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && (mediaType.MediaType.Equals(ProofMediaTypes.C2pa, StringComparison.OrdinalIgnoreCase)
            || mediaType.MediaType.Equals("application/x-c2pa-manifest-store", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads the command from the query string and the body, or puts what is wrong into <paramref name="errors"/> (per
    /// parameter: <c>imageHash</c>, <c>metadata</c>, <c>softBinding</c>, <c>query</c>).
    /// </summary>
    public static StoreProofCommand? Parse(IQueryCollection query, ReadOnlyMemory<byte> body, ApiOptions limits, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(limits);
        ImageHash? imageHash = null;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var bindings = new List<SoftBinding>();
        var metadataProblems = new List<string>();
        var bindingProblems = new List<string>();
        foreach (var (name, values) in query)
        {
            if (name.Equals(ImageHashParameter, StringComparison.OrdinalIgnoreCase))
            {
                if (values.Count != 1 || !ImageHash.TryParse(values[0], out var parsed))
                {
                    errors[ImageHashParameter] = ["imageHash must be given once, the SHA-256 of the image: 64 hexadecimal characters."];
                }
                else
                {
                    imageHash = parsed;
                }
            }
            else if (name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var key = name[MetadataPrefix.Length..];
                if (StoreRequestParser.CheckKey(key, limits) is { } keyProblem)
                {
                    metadataProblems.Add(keyProblem);
                }
                else if (values.Count != 1)
                {
                    metadataProblems.Add($"metadata['{key}'] is given more than once.");
                }
                else if (StoreRequestParser.CheckValue(key, values[0] ?? string.Empty, limits) is { } valueProblem)
                {
                    metadataProblems.Add(valueProblem);
                }
                else
                {
                    metadata[key] = values[0] ?? string.Empty;
                }
            }
            else if (name.Equals(SoftBindingParameter, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var value in values)
                {
                    var separator = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
                    if (separator < 0)
                    {
                        bindingProblems.Add("softBinding is {alg}:{base64 value}, for example com.digimarc.validate.1:AAECAw==.");
                    }
                    else if (!SoftBinding.TryCreate(value![..separator], value[(separator + 1)..], out var binding, out var error))
                    {
                        bindingProblems.Add(SoftBinding.Describe(error));
                    }
                    else if (!bindings.Contains(binding))
                    {
                        bindings.Add(binding);
                    }
                }
            }
            else
            {
                errors["query"] = [$"Unknown query parameter '{name}': a manifest store takes imageHash, metadata.{{key}} and softBinding."];
            }
        }

        if (metadata.Count > limits.MaxMetadataEntries)
        {
            metadataProblems.Add($"metadata has more than {limits.MaxMetadataEntries} entries.");
        }

        if (metadataProblems.Count > 0)
        {
            errors["metadata"] = [.. metadataProblems.Distinct(StringComparer.Ordinal)];
        }

        if (bindingProblems.Count > 0)
        {
            errors[SoftBindingParameter] = [.. bindingProblems.Distinct(StringComparer.Ordinal)];
        }

        return errors.Count == 0
            ? StoreProofCommand.ForManifestStore(imageHash, body, metadata.Count == 0 ? null : metadata, bindings)
            : null;
    }
}
