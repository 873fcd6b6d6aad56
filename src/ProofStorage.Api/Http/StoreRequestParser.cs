using System.Runtime.InteropServices;
using System.Text.Json;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// Reads one store item (<c>{imageHash, proof, proofMediaType?, metadata?}</c>) into a command, or into field errors:
/// the request's shape only (fields present, of the right types, within the request limits). Whether the proof itself
/// can be stored (one JSON value, depth, media type against content, size) is the Core's to decide
/// (<see cref="ProofStorage.Core.ProofWritePipeline"/>), once.
/// </summary>
internal static class StoreRequestParser
{
    public static StoreProofCommand? Parse(JsonElement item, ApiOptions limits, Dictionary<string, string[]> errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors["$"] = ["A store request is a JSON object {imageHash, proof, proofMediaType?, metadata?}."];
            return null;
        }

        ImageHash imageHash = default;
        if (!item.TryGetProperty("imageHash", out var hashElement))
        {
            errors["imageHash"] = ["The imageHash field is required."];
        }
        else if (!JsonStrings.TryGet(hashElement, out var hashText) || !ImageHash.TryParse(hashText, out imageHash))
        {
            errors["imageHash"] = ["imageHash must be the SHA-256 of the image: 64 hexadecimal characters."];
        }

        ReadOnlyMemory<byte> proof = default;
        if (!item.TryGetProperty("proof", out var proofElement))
        {
            errors["proof"] = ["The proof field is required."];
        }
        else if (proofElement.ValueKind == JsonValueKind.Null)
        {
            errors["proof"] = ["The proof must not be null."];
        }
        else
        {
            // The exact bytes the client sent for the value: never re-serialised.
            proof = JsonMarshal.GetRawUtf8Value(proofElement).ToArray();
        }

        var mediaType = ParseMediaType(item, errors);
        var metadata = ParseMetadata(item, limits, errors);
        return errors.Count == 0 ? new StoreProofCommand(imageHash, proof, metadata, ProofMediaType: mediaType) : null;
    }

    private static string? ParseMediaType(JsonElement item, Dictionary<string, string[]> errors)
    {
        if (!item.TryGetProperty("proofMediaType", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (!JsonStrings.TryGet(element, out var text))
        {
            errors["proofMediaType"] = ["proofMediaType must be a string such as application/c2pa."];
            return null;
        }

        return text;
    }

    private static Dictionary<string, string>? ParseMetadata(JsonElement item, ApiOptions limits, Dictionary<string, string[]> errors)
    {
        if (!item.TryGetProperty("metadata", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors["metadata"] = ["metadata must be an object of string values."];
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var property in element.EnumerateObject())
        {
            if (metadata.Count == limits.MaxMetadataEntries)
            {
                problems.Add($"metadata has more than {limits.MaxMetadataEntries} entries.");
                break;
            }

            if (!JsonStrings.TryGetName(property, out var key) || CheckKey(key, limits) is not null)
            {
                problems.Add(KeyRule(limits));
            }
            else if (property.Value.ValueKind != JsonValueKind.String)
            {
                problems.Add($"metadata['{key}'] must be a string.");
            }
            else if (!JsonStrings.TryGet(property.Value, out var value))
            {
                problems.Add($"metadata['{key}'] is not valid Unicode.");
            }
            else if (CheckValue(key, value, limits) is { } problem)
            {
                problems.Add(problem);
            }
            else
            {
                metadata[key] = value;
            }
        }

        if (problems.Count > 0)
        {
            errors["metadata"] = [.. problems];
            return null;
        }

        return metadata;
    }

    /// <summary>Why a metadata key is refused, or <see langword="null"/>; the same rule for every way metadata arrives.</summary>
    internal static string? CheckKey(string key, ApiOptions limits) =>
        key.Length == 0 || key.Length > limits.MaxMetadataKeyLength || key.Any(char.IsControl) ? KeyRule(limits) : null;

    /// <summary>Why a metadata value is refused, or <see langword="null"/>.</summary>
    internal static string? CheckValue(string key, string value, ApiOptions limits) =>
        value.Length > limits.MaxMetadataValueLength ? $"metadata['{key}'] is longer than {limits.MaxMetadataValueLength} characters." : null;

    private static string KeyRule(ApiOptions limits) =>
        $"metadata keys are 1-{limits.MaxMetadataKeyLength} characters of valid Unicode, without control characters.";
}
