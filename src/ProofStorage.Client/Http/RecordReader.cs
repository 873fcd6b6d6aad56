using System.Globalization;
using System.Text.Json;

namespace ProofStorage.Client.Http;

/// <summary>
/// Reads proof records with <see cref="Utf8JsonReader"/> over the response bytes: the small members are decoded, the
/// proof is kept as the slice of the response holding its value (no copy, not re-serialised).
/// </summary>
internal static class RecordReader
{
    public static ProofRecord ReadRecord(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span);
        reader.Read();
        return ReadRecord(json, ref reader);
    }

    /// <summary><c>{"found":[records…],"missing":[ids…]}</c>.</summary>
    public static LookupResult ReadLookup(ReadOnlyMemory<byte> json)
    {
        var reader = new Utf8JsonReader(json.Span);
        Expect(ref reader, JsonTokenType.StartObject);
        var found = new List<ProofRecord>();
        var missing = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "found")
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    found.Add(ReadRecord(json, ref reader));
                }
            }
            else if (name == "missing")
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    missing.Add(reader.GetString() ?? throw new JsonException("A missing id is null."));
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return new LookupResult { Found = found, Missing = missing };
    }

    /// <summary>The record whose <c>{</c> the reader is on; leaves the reader on its <c>}</c>.</summary>
    private static ProofRecord ReadRecord(ReadOnlyMemory<byte> json, ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A proof record is a JSON object.");
        }

        string? proofId = null, imageHash = null, createdAt = null, mediaType = null, manifestId = null;
        List<SoftBindingValue>? softBindings = null;
        Dictionary<string, string>? metadata = null;
        ReadOnlyMemory<byte>? proof = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "proofId": proofId = reader.GetString(); break;
                case "imageHash": imageHash = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                case "manifestId": manifestId = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                case "softBindings":
                    softBindings = ReadSoftBindings(ref reader);
                    break;
                case "createdAt": createdAt = reader.GetString(); break;
                case "proofMediaType": mediaType = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                case "metadata":
                    metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var key = reader.GetString()!;
                        reader.Read();
                        metadata[key] = reader.GetString() ?? string.Empty;
                    }

                    break;
                case "proof":
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    proof = json[start..(int)reader.BytesConsumed];
                    break;
                default: reader.Skip(); break;
            }
        }

        return new ProofRecord
        {
            ProofId = proofId ?? throw Missing("proofId"),
            ImageHash = imageHash,
            ManifestId = manifestId,
            SoftBindings = softBindings,
            CreatedAt = DateTimeOffset.Parse(createdAt ?? throw Missing("createdAt"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            Metadata = metadata ?? new Dictionary<string, string>(StringComparer.Ordinal),
            ProofMediaType = mediaType,
            ProofJson = proof ?? throw Missing("proof"),
        };
    }

    /// <summary>A record's <c>softBindings</c>: <c>[{"alg","value"}]</c> (null when the member is null).</summary>
    private static List<SoftBindingValue>? ReadSoftBindings(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("softBindings is an array.");
        }

        var bindings = new List<SoftBindingValue>();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? alg = null, value = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "alg": alg = reader.GetString(); break;
                    case "value": value = reader.GetString(); break;
                    default: reader.Skip(); break;
                }
            }

            bindings.Add(new SoftBindingValue(alg ?? throw Missing("softBindings[].alg"), value ?? throw Missing("softBindings[].value")));
        }

        return bindings;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new JsonException($"Expected {type}.");
        }
    }

    private static JsonException Missing(string member) => new($"The proof record has no '{member}'.");
}
