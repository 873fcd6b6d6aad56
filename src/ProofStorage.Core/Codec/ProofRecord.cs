using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ProofStorage.Core.Model;

namespace ProofStorage.Core.Codec;

/// <summary>
/// The stored record: <c>{"proofId","imageHash","createdAt","metadata","proofMediaType"?,"proof"}</c> in that
/// order, compact UTF-8 JSON, metadata keys in ordinal order. The <c>proof</c> value is copied in as the client's
/// raw bytes, never re-serialised, so signatures over its exact text stay valid. <c>proofMediaType</c> is written
/// only when the client gave one (see <see cref="ProofMediaTypes"/>), so records without it are unchanged.
/// </summary>
public static class ProofRecord
{
    /// <summary>Length of <see cref="FormatTimestamp"/>'s output, <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
    private const int TimestampLength = 24;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The record is served as application/json, never embedded in HTML: keep unicode readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
        MaxDepth = 4096,
    };

    /// <summary>Writes the canonical record. <paramref name="proof"/> must be one valid JSON value (checked).</summary>
    public static byte[] Write(string proofId, ImageHash imageHash, DateTimeOffset createdAt,
        IReadOnlyDictionary<string, string>? metadata, ReadOnlySpan<byte> proof, string? proofMediaType = null)
    {
        var buffer = new ArrayBufferWriter<byte>(proof.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("proofId"u8, proofId);
            writer.WriteString("imageHash"u8, imageHash.Value);
            writer.WriteString("createdAt"u8, FormatTimestamp(createdAt));
            writer.WritePropertyName("metadata"u8);
            writer.WriteStartObject();
            if (metadata is not null)
            {
                foreach (var key in metadata.Keys.Order(StringComparer.Ordinal))
                {
                    writer.WriteString(key, metadata[key]);
                }
            }

            writer.WriteEndObject();
            if (proofMediaType is not null)
            {
                writer.WriteString("proofMediaType"u8, proofMediaType);
            }

            writer.WritePropertyName("proof"u8);
            writer.WriteRawValue(proof, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The exact length in bytes of what <see cref="Write"/> produces for these parts, computed without building it, so
    /// a record over the size limit is refused before it is allocated. <c>createdAt</c> does not appear: its form has
    /// a fixed length.
    /// </summary>
    public static long Length(string proofId, ImageHash imageHash, IReadOnlyDictionary<string, string>? metadata, int proofLength,
        string? proofMediaType = null)
    {
        ArgumentNullException.ThrowIfNull(proofId);

        // {"proofId":…,"imageHash":…,"createdAt":…,"metadata":{…},"proofMediaType":…,"proof":…}
        long length = 2 // { }
            + Member("proofId", proofId)
            + 1 + Member("imageHash", imageHash.Value)
            + 1 + "\"createdAt\":\"\"".Length + TimestampLength
            + 1 + "\"metadata\":{}".Length
            + 1 + "\"proof\":".Length + proofLength;
        if (metadata is not null && metadata.Count > 0)
        {
            length += metadata.Count - 1; // commas
            foreach (var (key, value) in metadata)
            {
                length += Quoted(key) + 1 + Quoted(value);
            }
        }

        if (proofMediaType is not null)
        {
            length += 1 + Member("proofMediaType", proofMediaType);
        }

        return length;

        static long Member(string name, string value) => name.Length + 3 + Quoted(value); // "name":"value"
    }

    /// <summary>A JSON string as the writer emits it: quotes around the text escaped by <see cref="WriterOptions"/>' encoder.</summary>
    private static long Quoted(string value) => 2 + Encoding.UTF8.GetByteCount(WriterOptions.Encoder!.Encode(value));

    /// <summary>Millisecond-precision UTC ISO-8601, the one timestamp form the API emits.</summary>
    public static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads the identifying fields of a record; throws <see cref="FormatException"/> when they are missing or invalid.</summary>
    public static ProofRecordHeader ReadHeader(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record, new JsonReaderOptions { MaxDepth = 4096 });
        string? proofId = null;
        string? imageHash = null;
        DateTimeOffset? createdAt = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("A proof record is a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("proofId"u8))
            {
                reader.Read();
                proofId = reader.GetString();
            }
            else if (reader.ValueTextEquals("imageHash"u8))
            {
                reader.Read();
                imageHash = reader.GetString();
            }
            else if (reader.ValueTextEquals("createdAt"u8))
            {
                reader.Read();
                createdAt = reader.GetDateTimeOffset();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }

            if (proofId is not null && imageHash is not null && createdAt is not null)
            {
                break;
            }
        }

        if (proofId is null || createdAt is null || !ImageHash.TryParse(imageHash, out var hash))
        {
            throw new FormatException("A proof record must hold proofId, imageHash and createdAt.");
        }

        return new ProofRecordHeader(proofId, hash, createdAt.Value);
    }

    /// <summary>
    /// The proof document held by a record: its media type and bytes (the proof's JSON text as sent, or the bytes a
    /// base64 proof of a non-JSON type decodes to). Throws <see cref="FormatException"/> when the record has no proof.
    /// </summary>
    public static ProofDocumentContent ReadProofDocument(ReadOnlyMemory<byte> record)
    {
        var reader = new Utf8JsonReader(record.Span, new JsonReaderOptions { MaxDepth = 4096 });
        string? mediaType = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("A proof record is a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("proofMediaType"u8))
            {
                reader.Read();
                mediaType = reader.GetString();
            }
            else if (reader.ValueTextEquals("proof"u8))
            {
                reader.Read();
                if (!ProofMediaTypes.IsJson(mediaType))
                {
                    return new ProofDocumentContent(mediaType!, reader.GetBytesFromBase64());
                }

                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return new ProofDocumentContent(mediaType ?? ProofMediaTypes.Json, record[start..(int)reader.BytesConsumed]);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        throw new FormatException("The proof record holds no proof.");
    }

    /// <summary>True when <paramref name="json"/> is exactly one JSON value no deeper than <paramref name="maxDepth"/>.</summary>
    public static bool IsSingleJsonValue(ReadOnlySpan<byte> json, int maxDepth)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>A proof document on its own: what a C2PA reader given its URL fetches.</summary>
/// <param name="MediaType">As given on store, <c>application/json</c> when none was.</param>
/// <param name="Content">The document's bytes.</param>
public sealed record ProofDocumentContent(string MediaType, ReadOnlyMemory<byte> Content);

/// <summary>The identifying fields of a record.</summary>
public sealed record ProofRecordHeader(string ProofId, ImageHash ImageHash, DateTimeOffset CreatedAt);
