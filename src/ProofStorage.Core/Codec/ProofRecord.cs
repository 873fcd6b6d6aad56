using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Model;

namespace ProofStorage.Core.Codec;

/// <summary>
/// The stored record, the plaintext an envelope seals. Two formats, told apart by the first byte:
/// <list type="bullet">
/// <item><b>JSON</b> (<see cref="ProofRecordFormat.Json"/>, every record before binary proofs existed, and every proof stored as
/// JSON): <c>{"proofId","imageHash","createdAt","metadata","proofMediaType"?,"proof"}</c> in that order, compact UTF-8
/// JSON, metadata keys in ordinal order. The <c>proof</c> value is copied in as the client's raw bytes, never
/// re-serialised, so signatures over its exact text stay valid. <c>proofMediaType</c> is written only when the client
/// gave one (see <see cref="ProofMediaTypes"/>), so records without it are unchanged.</item>
/// <item><b>Binary</b> (<see cref="ProofRecordFormat.Binary"/>, a C2PA manifest store stored as its raw
/// <c>application/c2pa</c> bytes): <c>00 'P' 'S' 'R' | version 2 | header length (uint32, big-endian) | header | content</c>.
/// The header is compact UTF-8 JSON <c>{"proofId","imageHash"?,"createdAt","metadata","proofMediaType","manifestId","softBindings":[{"alg","value"}]}</c>
/// (<c>imageHash</c> absent for a manifest stored without one); the content is the manifest store's bytes exactly as
/// sent, so it is stored and served without base64 and without a copy per request.</item>
/// </list>
/// A JSON record always starts with <c>{</c>, so existing records read exactly as before.
/// </summary>
public static class ProofRecord
{
    /// <summary>Version byte of the binary record layout.</summary>
    public const byte BinaryVersion = 2;

    /// <summary>Magic, version and header length.</summary>
    private const int BinaryPreambleLength = 9;

    /// <summary>A header longer than this is not a header this service wrote (metadata and bindings are bounded far below it).</summary>
    private const int MaxBinaryHeaderLength = 1024 * 1024;

    /// <summary>The first bytes of a binary record: a NUL (no JSON text starts with one) and <c>PSR</c>.</summary>
    private static ReadOnlySpan<byte> BinaryMagic => [0x00, (byte)'P', (byte)'S', (byte)'R'];
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
        WriteTo(buffer, proofId, imageHash, createdAt, metadata, proof, proofMediaType);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Room a writer needs beyond the record's own length: the JSON writer asks for the worst case of escaping each
    /// string before it writes it (see <see cref="WriteTo"/> into a fixed buffer).
    /// </summary>
    public static int WriterSlack(string proofId, IReadOnlyDictionary<string, string>? metadata, string? proofMediaType)
    {
        ArgumentNullException.ThrowIfNull(proofId);
        var longest = Math.Max(Math.Max(proofId.Length, 64), proofMediaType?.Length ?? 0);
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                longest = Math.Max(longest, Math.Max(key.Length, value.Length));
            }
        }

        return (longest * 6 * 2) + 1024;
    }

    /// <summary>Writes the canonical record into <paramref name="buffer"/> (see <see cref="Write"/>).</summary>
    public static void WriteTo(IBufferWriter<byte> buffer, string proofId, ImageHash imageHash, DateTimeOffset createdAt,
        IReadOnlyDictionary<string, string>? metadata, ReadOnlySpan<byte> proof, string? proofMediaType = null)
    {
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteCommonFields(writer, proofId, imageHash, createdAt, metadata);
            if (proofMediaType is not null)
            {
                writer.WriteString("proofMediaType"u8, proofMediaType);
            }

            writer.WritePropertyName("proof"u8);
            writer.WriteRawValue(proof, skipInputValidation: true);
            writer.WriteEndObject();
        }
    }

    /// <summary>
    /// Writes a binary record around <paramref name="content"/> (the proof document's bytes, kept as they are) for a proof
    /// of media type <paramref name="mediaType"/> with its C2PA identifiers. <paramref name="imageHash"/> is
    /// <see langword="null"/> for a manifest stored without one.
    /// </summary>
    public static byte[] WriteBinary(string proofId, ImageHash? imageHash, DateTimeOffset createdAt, IReadOnlyDictionary<string, string>? metadata,
        string mediaType, C2paIdentifiers identifiers, ReadOnlySpan<byte> content)
    {
        var header = WriteBinaryHeader(proofId, imageHash, createdAt, metadata, mediaType, identifiers);
        var record = new byte[BinaryPreambleLength + header.Length + content.Length];
        CopyBinary(record, header, content);
        return record;
    }

    /// <summary>
    /// Writes the binary record <see cref="WriteBinary"/>
    /// builds into <paramref name="destination"/> (at least <see cref="BinaryLength"/> bytes) and returns its length: only
    /// the small header is built on the heap, the content is copied once, into place.
    /// </summary>
    public static int WriteBinaryTo(Span<byte> destination, string proofId, ImageHash? imageHash, DateTimeOffset createdAt,
        IReadOnlyDictionary<string, string>? metadata, string mediaType, C2paIdentifiers identifiers, ReadOnlySpan<byte> content)
    {
        var header = WriteBinaryHeader(proofId, imageHash, createdAt, metadata, mediaType, identifiers);
        return CopyBinary(destination, header, content);
    }

    private static int CopyBinary(Span<byte> destination, ReadOnlySpan<byte> header, ReadOnlySpan<byte> content)
    {
        var length = BinaryPreambleLength + header.Length + content.Length;
        if (destination.Length < length)
        {
            throw new ArgumentException("The destination is shorter than the record.", nameof(destination));
        }

        BinaryMagic.CopyTo(destination);
        destination[4] = BinaryVersion;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)header.Length);
        header.CopyTo(destination[BinaryPreambleLength..]);
        content.CopyTo(destination[(BinaryPreambleLength + header.Length)..]);
        return length;
    }

    /// <summary>
    /// The exact length of what <see cref="WriteBinary"/> produces for these parts, without the content's bytes: the header
    /// is small (bounded metadata and bindings) and is built once to measure it; the timestamp has a fixed length.
    /// </summary>
    public static long BinaryLength(string proofId, ImageHash? imageHash, IReadOnlyDictionary<string, string>? metadata, string mediaType,
        C2paIdentifiers identifiers, int contentLength) =>
        BinaryPreambleLength + WriteBinaryHeader(proofId, imageHash, DateTimeOffset.UnixEpoch, metadata, mediaType, identifiers).Length + (long)contentLength;

    /// <summary>
    /// The record as JSON, the shape every proof's record has on the record route: a binary record's header with the content
    /// appended as a base64 <c>proof</c> (what a JSON store of the same document would hold); a JSON record as it is.
    /// Allocates the base64 for a binary record on each call: the raw content is what the manifest route serves.
    /// </summary>
    public static ReadOnlyMemory<byte> RenderJson(ReadOnlyMemory<byte> record)
    {
        if (!IsBinary(record.Span))
        {
            return record;
        }

        var (header, content) = SplitBinary(record);
        var base64Length = (content.Length + 2) / 3 * 4;
        var json = new byte[header.Length - 1 + ",\"proof\":\"\"}".Length + base64Length];
        header.Span[..^1].CopyTo(json);
        var position = header.Length - 1;
        position += Copy(",\"proof\":\""u8, json.AsSpan(position));
        System.Buffers.Text.Base64.EncodeToUtf8(content.Span, json.AsSpan(position), out _, out var written);
        position += written;
        Copy("\"}"u8, json.AsSpan(position));
        return json;

        static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
        {
            source.CopyTo(destination);
            return source.Length;
        }
    }

    /// <summary>True when <paramref name="record"/> is in the binary layout (checks the magic only).</summary>
    public static bool IsBinary(ReadOnlySpan<byte> record) => record.StartsWith(BinaryMagic);

    private static byte[] WriteBinaryHeader(string proofId, ImageHash? imageHash, DateTimeOffset createdAt, IReadOnlyDictionary<string, string>? metadata,
        string mediaType, C2paIdentifiers identifiers)
    {
        ArgumentNullException.ThrowIfNull(identifiers);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteCommonFields(writer, proofId, imageHash, createdAt, metadata);
            writer.WriteString("proofMediaType"u8, mediaType);
            writer.WriteString("manifestId"u8, identifiers.ManifestId);
            writer.WritePropertyName("softBindings"u8);
            writer.WriteStartArray();
            foreach (var binding in identifiers.SoftBindings)
            {
                writer.WriteStartObject();
                writer.WriteString("alg"u8, binding.Alg);
                writer.WriteString("value"u8, binding.Value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>"proofId","imageHash"?,"createdAt","metadata"</c>: the fields both layouts open with.</summary>
    private static void WriteCommonFields(Utf8JsonWriter writer, string proofId, ImageHash? imageHash, DateTimeOffset createdAt,
        IReadOnlyDictionary<string, string>? metadata)
    {
        writer.WriteString("proofId"u8, proofId);
        if (imageHash is { } hash)
        {
            writer.WriteString("imageHash"u8, hash.Value);
        }

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
    }

    /// <summary>A binary record's header and content; <see cref="FormatException"/> when the preamble is not one this build wrote.</summary>
    private static (ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Content) SplitBinary(ReadOnlyMemory<byte> record)
    {
        var headerLength = BinaryHeaderLength(record.Span);
        return (record.Slice(BinaryPreambleLength, headerLength), record[(BinaryPreambleLength + headerLength)..]);
    }

    /// <summary>The header length a binary record's preamble gives, checked against the record; <see cref="FormatException"/> otherwise.</summary>
    private static int BinaryHeaderLength(ReadOnlySpan<byte> record)
    {
        if (record.Length < BinaryPreambleLength || !record.StartsWith(BinaryMagic))
        {
            throw new FormatException("A binary proof record starts with its magic, version and header length.");
        }

        if (record[4] != BinaryVersion)
        {
            throw new FormatException($"Unsupported binary proof record version {record[4]}.");
        }

        var headerLength = BinaryPrimitives.ReadUInt32BigEndian(record[5..]);
        if (headerLength < 2 || headerLength > MaxBinaryHeaderLength || headerLength > record.Length - BinaryPreambleLength)
        {
            throw new FormatException("The binary proof record's header length is invalid.");
        }

        return (int)headerLength;
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
    public static string FormatTimestamp(DateTimeOffset value) => string.Create(TimestampLength, value.UtcDateTime, static (text, utc) =>
    {
        // "s" (yyyy-MM-ddTHH:mm:ss) is one of the runtime's fixed formats, written without parsing a pattern (the custom
        // pattern cost about 1 % of a duplicate store's CPU).
        utc.TryFormat(text, out var written, "s", CultureInfo.InvariantCulture);
        text[written] = '.';
        utc.Millisecond.TryFormat(text[(written + 1)..], out _, "D3", CultureInfo.InvariantCulture);
        text[^1] = 'Z';
    });

    /// <summary>
    /// Reads the identifying fields of a record of either format (and, of a binary record, its media type, C2PA identifiers
    /// and where its content starts); throws <see cref="FormatException"/> when they are missing or invalid.
    /// </summary>
    public static ProofRecordHeader ReadHeader(ReadOnlySpan<byte> record)
    {
        if (IsBinary(record))
        {
            return ReadBinaryHeader(record);
        }

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
        if (IsBinary(record.Span))
        {
            var header = ReadBinaryHeader(record.Span);
            return new ProofDocumentContent(header.MediaType!, record[header.ContentOffset..]);
        }

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

    /// <summary>The metadata of a record of either format (empty when it has none); <see cref="FormatException"/> for a damaged record.</summary>
    public static Dictionary<string, string> ReadMetadata(ReadOnlyMemory<byte> record)
    {
        var json = IsBinary(record.Span) ? SplitBinary(record).Header : record;
        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { MaxDepth = 4096 });
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("A proof record is a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException("A record's metadata is an object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                metadata[key] = reader.GetString() ?? throw new FormatException("A record's metadata values are strings.");
            }

            break;
        }

        return metadata;
    }

    private static ProofRecordHeader ReadBinaryHeader(ReadOnlySpan<byte> record)
    {
        var headerLength = BinaryHeaderLength(record);
        var reader = new Utf8JsonReader(record.Slice(BinaryPreambleLength, headerLength), new JsonReaderOptions { MaxDepth = 8 });
        string? proofId = null;
        string? imageHash = null;
        DateTimeOffset? createdAt = null;
        string? mediaType = null;
        string? manifestId = null;
        List<SoftBinding>? bindings = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("A binary proof record's header is a JSON object.");
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
            else if (reader.ValueTextEquals("proofMediaType"u8))
            {
                reader.Read();
                mediaType = reader.GetString();
            }
            else if (reader.ValueTextEquals("manifestId"u8))
            {
                reader.Read();
                manifestId = reader.GetString();
            }
            else if (reader.ValueTextEquals("softBindings"u8))
            {
                bindings = ReadBindings(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        ImageHash? hash = null;
        if (imageHash is not null)
        {
            hash = ImageHash.TryParse(imageHash, out var parsed) ? parsed : throw new FormatException("A binary proof record's imageHash is invalid.");
        }

        if (proofId is null || createdAt is null || mediaType is null || manifestId is null || bindings is null)
        {
            throw new FormatException("A binary proof record's header must hold proofId, createdAt, proofMediaType, manifestId and softBindings.");
        }

        return new ProofRecordHeader(proofId, hash, createdAt.Value)
        {
            Format = ProofRecordFormat.Binary,
            MediaType = mediaType,
            C2pa = new C2paIdentifiers(manifestId, bindings),
            ContentOffset = BinaryPreambleLength + headerLength,
        };

        static List<SoftBinding> ReadBindings(ref Utf8JsonReader reader)
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new FormatException("softBindings is an array.");
            }

            var list = new List<SoftBinding>();
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                string? alg = null;
                string? value = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isAlg = reader.ValueTextEquals("alg"u8);
                    var isValue = reader.ValueTextEquals("value"u8);
                    reader.Read();
                    if (isAlg)
                    {
                        alg = reader.GetString();
                    }
                    else if (isValue)
                    {
                        value = reader.GetString();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                list.Add(SoftBinding.FromRecord(alg ?? throw new FormatException("A recorded soft binding has no alg."),
                    value ?? throw new FormatException("A recorded soft binding has no value.")));
            }

            return list;
        }
    }
}

/// <summary>A proof document on its own: what a C2PA reader given its URL fetches.</summary>
/// <param name="MediaType">As given on store, <c>application/json</c> when none was.</param>
/// <param name="Content">The document's bytes.</param>
public sealed record ProofDocumentContent(string MediaType, ReadOnlyMemory<byte> Content);

/// <summary>Which layout a record has (see <see cref="ProofRecord"/>).</summary>
public enum ProofRecordFormat
{
    /// <summary>A JSON record: the proof is a JSON value inside it.</summary>
    Json,

    /// <summary>A binary record: a JSON header followed by the proof document's raw bytes (a C2PA manifest store).</summary>
    Binary,
}

/// <summary>The identifying fields of a record.</summary>
/// <param name="ProofId">The proof's id (its object key's last segment).</param>
/// <param name="ImageHash">The image's SHA-256; <see langword="null"/> only for a manifest stored without one (binary records).</param>
/// <param name="CreatedAt">When the proof was stored.</param>
public sealed record ProofRecordHeader(string ProofId, ImageHash? ImageHash, DateTimeOffset CreatedAt)
{
    /// <summary>The record's layout.</summary>
    public ProofRecordFormat Format { get; init; } = ProofRecordFormat.Json;

    /// <summary>A binary record's media type (<c>application/c2pa</c>); <see langword="null"/> for a JSON record (read it with <see cref="ProofRecord.ReadProofDocument"/>).</summary>
    public string? MediaType { get; init; }

    /// <summary>A binary record's C2PA identifiers (the manifest id and soft bindings indexed for it); <see langword="null"/> for a JSON record.</summary>
    public C2paIdentifiers? C2pa { get; init; }

    /// <summary>Where a binary record's content starts; 0 for a JSON record.</summary>
    public int ContentOffset { get; init; }
}

/// <summary>
/// What a C2PA manifest store stored as a proof is found by: its active manifest's identifier (the Soft Binding Resolution
/// API's <c>manifestId</c>) and its soft bindings (those the store request gave and those the active manifest declares).
/// </summary>
/// <param name="ManifestId">The active manifest's label, e.g. <c>urn:c2pa:…</c>.</param>
/// <param name="SoftBindings">Distinct bindings, in the order given then declared.</param>
public sealed record C2paIdentifiers(string ManifestId, IReadOnlyList<SoftBinding> SoftBindings)
{
    public bool Equals(C2paIdentifiers? other) =>
        other is not null && ManifestId == other.ManifestId && SoftBindings.SequenceEqual(other.SoftBindings);

    public override int GetHashCode() => HashCode.Combine(ManifestId, SoftBindings.Count);
}
