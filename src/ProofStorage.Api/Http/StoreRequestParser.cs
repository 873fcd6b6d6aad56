using System.Text.Json;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// Reads store requests (<c>{imageHash, proof, proofMediaType?, metadata?}</c>, one or a batch) into commands, or into
/// field errors: the request's shape only (fields present, of the right types, within the request limits). Whether the
/// proof itself can be stored (one JSON value, depth, media type against content, size) is the Core's to decide
/// (<see cref="ProofStorage.Core.ProofWritePipeline"/>), once: the walk past the proof applies the Core's
/// <see cref="JsonProofRule"/> and hands the checked bytes on, so the pipeline does not walk them again.
/// </summary>
/// <remarks>
/// The body is walked once with <see cref="Utf8JsonReader"/> (<see cref="JsonScanner"/>): no document tree, so an 8 MB
/// proof costs no parser metadata the size of the body; the <c>proof</c> value is handed on as a slice of the body,
/// exactly the bytes sent. Malformed JSON, a nesting deeper than <c>maxDepth</c> or a repeated property name anywhere
/// throw (<see cref="JsonException"/>, <see cref="RepeatedPropertyException"/>, <see cref="InvalidOperationException"/>
/// for a name escaping a lone surrogate), which <see cref="JsonRequestReader"/> answers as a malformed request.
/// </remarks>
internal static class StoreRequestParser
{
    /// <summary>
    /// One store request: the command, or null with <paramref name="errors"/> filled. <paramref name="maxProofDepth"/> is how
    /// deep a proof may nest (<c>ProofStorage:MaxProofDepth</c>); the request's own levels come on top.
    /// </summary>
    public static StoreProofCommand? ParseSingle(ReadOnlyMemory<byte> body, int maxProofDepth, ApiOptions limits, Dictionary<string, string[]> errors)
    {
        var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = JsonRequestReader.ParserDepth(maxProofDepth) });
        var scanner = new JsonScanner(body);
        reader.Read();
        var command = ParseItem(ref reader, scanner, maxProofDepth, limits, errors);
        End(ref reader);
        return command;
    }

    /// <summary>
    /// A batch <c>{"items":[…]}</c>: each item's command or field errors, in order; null (with <paramref name="errors"/>)
    /// when the body is not of that shape, or holds no item or more than <see cref="ApiOptions.MaxBatchItems"/>. Items past
    /// the limit are only walked (syntax, depth, repeated names), never read into commands: a 9 MB body of three million
    /// empty items otherwise held three million error dictionaries (970 MB) before the count refused it.
    /// </summary>
    public static List<(StoreProofCommand? Command, Dictionary<string, string[]>? Errors)>? ParseBatch(ReadOnlyMemory<byte> body, int maxProofDepth,
        ApiOptions limits, Dictionary<string, string[]> errors)
    {
        var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = JsonRequestReader.ParserDepth(maxProofDepth) });
        var scanner = new JsonScanner(body);
        reader.Read();
        List<(StoreProofCommand?, Dictionary<string, string[]>?)>? items = null;
        var tooMany = false;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            scanner.SkipValue(ref reader);
        }
        else
        {
            scanner.EnterObject();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                scanner.PropertyName(ref reader);
                var isItems = reader.ValueTextEquals("items"u8);
                reader.Read();
                if (isItems && reader.TokenType == JsonTokenType.StartArray)
                {
                    items = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        tooMany |= items.Count == limits.MaxBatchItems;
                        if (tooMany)
                        {
                            scanner.SkipValue(ref reader);
                            continue;
                        }

                        var itemErrors = new Dictionary<string, string[]>(StringComparer.Ordinal);
                        var command = ParseItem(ref reader, scanner, maxProofDepth, limits, itemErrors);
                        items.Add((command, command is null ? itemErrors : null));
                    }
                }
                else
                {
                    items = isItems ? null : items;
                    scanner.SkipValue(ref reader);
                }
            }

            scanner.ExitObject();
        }

        End(ref reader);
        if (items is null)
        {
            errors["items"] = ["The body is {\"items\": [store requests]}."];
            return null;
        }

        if (items.Count == 0 || tooMany)
        {
            errors["items"] = [$"A batch holds 1-{limits.MaxBatchItems} items."];
            return null;
        }

        return items;
    }

    /// <summary>The reader is on an item's first token; leaves it on the item's last.</summary>
    private static StoreProofCommand? ParseItem(ref Utf8JsonReader reader, JsonScanner scanner, int maxProofDepth, ApiOptions limits, Dictionary<string, string[]> errors)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            errors["$"] = ["A store request is a JSON object {imageHash, proof, proofMediaType?, metadata?}."];
            scanner.SkipValue(ref reader);
            return null;
        }

        ImageHash imageHash = default;
        var sawHash = false;
        CheckedJsonProof? checkedProof = null;
        ReadOnlyMemory<byte>? proof = null;
        var sawProof = false;
        string? mediaType = null;
        Dictionary<string, string>? metadata = null;

        scanner.EnterObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            scanner.PropertyName(ref reader);
            if (reader.ValueTextEquals("imageHash"u8))
            {
                reader.Read();
                sawHash = true;
                if (!TryGetString(ref reader, out var text) || !ImageHash.TryParse(text, out imageHash))
                {
                    errors["imageHash"] = ["imageHash must be the SHA-256 of the image: 64 hexadecimal characters."];
                }

                scanner.SkipValue(ref reader);
            }
            else if (reader.ValueTextEquals("proof"u8))
            {
                reader.Read();
                sawProof = true;
                if (reader.TokenType == JsonTokenType.Null)
                {
                    errors["proof"] = ["The proof must not be null."];
                }
                else
                {
                    // The exact bytes the client sent for the value: never re-serialised, not even copied (a slice of the
                    // body, which lives until the store is done). The Core's rule for a proof is applied on this one walk.
                    var start = reader.TokenStartIndex;
                    checkedProof = scanner.SkipProof(ref reader, maxProofDepth);
                    proof = checkedProof?.Bytes ?? scanner.Slice(start, reader.BytesConsumed);
                }
            }
            else if (reader.ValueTextEquals("proofMediaType"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null && !TryGetString(ref reader, out mediaType))
                {
                    errors["proofMediaType"] = ["proofMediaType must be a string such as application/c2pa."];
                }

                scanner.SkipValue(ref reader);
            }
            else if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                metadata = ParseMetadata(ref reader, scanner, limits, errors);
            }
            else
            {
                reader.Read();
                scanner.SkipValue(ref reader);
            }
        }

        scanner.ExitObject();
        if (!sawHash)
        {
            errors["imageHash"] = ["The imageHash field is required."];
        }

        if (!sawProof)
        {
            errors["proof"] = ["The proof field is required."];
        }

        if (errors.Count != 0)
        {
            return null;
        }

        // Too deep for the rule: the Core walks it again and refuses it with its own message.
        return checkedProof is { } walked
            ? StoreProofCommand.ForCheckedJson(imageHash, walked, metadata, mediaType)
            : new StoreProofCommand(imageHash, proof!.Value, metadata, ProofMediaType: mediaType);
    }

    private static Dictionary<string, string>? ParseMetadata(ref Utf8JsonReader reader, JsonScanner scanner, ApiOptions limits, Dictionary<string, string[]> errors)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            errors["metadata"] = ["metadata must be an object of string values."];
            scanner.SkipValue(ref reader);
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        var entries = 0;
        var tooMany = false;
        scanner.EnterObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            scanner.PropertyName(ref reader);
            if (tooMany)
            {
                reader.Read();
                scanner.SkipValue(ref reader);
                continue;
            }

            var keyValid = TryGetString(ref reader, out var key);
            reader.Read();

            // Every entry counts, refused ones too: otherwise a body of a million non-string values is a million problems
            // (300 MB held, a 37 MB answer) where the limit allows 32 entries.
            if (++entries > limits.MaxMetadataEntries)
            {
                problems.Add($"metadata has more than {limits.MaxMetadataEntries} entries.");
                tooMany = true;
            }
            else if (!keyValid || CheckKey(key!, limits) is not null)
            {
                problems.Add(KeyRule(limits));
            }
            else if (reader.TokenType != JsonTokenType.String)
            {
                problems.Add($"metadata['{key}'] must be a string.");
            }
            else if (!TryGetString(ref reader, out var value))
            {
                problems.Add($"metadata['{key}'] is not valid Unicode.");
            }
            else if (CheckValue(key!, value, limits) is { } problem)
            {
                problems.Add(problem);
            }
            else
            {
                metadata[key!] = value;
            }

            scanner.SkipValue(ref reader);
        }

        scanner.ExitObject();
        if (problems.Count > 0)
        {
            errors["metadata"] = [.. problems];
            return null;
        }

        return metadata;
    }

    /// <summary>A string token's value; false for another token or an escape that is not valid Unicode (a lone surrogate).</summary>
    private static bool TryGetString(ref Utf8JsonReader reader, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            return false;
        }

        try
        {
            value = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Nothing may follow the one value (the reader throws on anything but whitespace).</summary>
    private static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException("Data follows the JSON value.");
        }
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
