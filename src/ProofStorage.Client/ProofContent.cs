using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace ProofStorage.Client;

/// <summary>
/// The proof of a store request: its JSON text, sent byte for byte as given (never re-serialised, so the signed bytes
/// are what the service stores), or the bytes of a binary proof document (e.g. a C2PA manifest store) with its media
/// type, sent base64-encoded as the API wants. The bytes are referenced, not copied: keep them unchanged until the call
/// completes (a retry sends them again).
/// </summary>
public sealed class ProofContent
{
    private ProofContent(ReadOnlyMemory<byte> bytes, bool isJson, string? mediaType)
    {
        Bytes = bytes;
        IsJson = isJson;
        MediaType = mediaType;
    }

    /// <summary>The JSON text (UTF-8) or the binary document.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>True for JSON text, false for a binary document.</summary>
    public bool IsJson { get; }

    /// <summary>The <c>proofMediaType</c> sent with it (absent: <c>application/json</c>).</summary>
    public string? MediaType { get; }

    /// <summary>
    /// A proof given as UTF-8 JSON text: exactly one JSON value (checked here, so it cannot spill into the request's
    /// other members). <paramref name="mediaType"/> is an optional JSON media type such as <c>application/ld+json</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Not valid UTF-8, or not exactly one JSON value.</exception>
    public static ProofContent FromJson(ReadOnlyMemory<byte> utf8Json, string? mediaType = null)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json.Span))
        {
            throw new ArgumentException("The proof is not valid UTF-8.", nameof(utf8Json));
        }

        var reader = new Utf8JsonReader(utf8Json.Span);
        try
        {
            if (!reader.Read() || !reader.TrySkip() || reader.Read())
            {
                throw new ArgumentException("The proof must be exactly one JSON value.", nameof(utf8Json));
            }
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The proof is not one JSON value: {ex.Message}", nameof(utf8Json), ex);
        }

        return new ProofContent(utf8Json, isJson: true, mediaType);
    }

    /// <summary>A proof given as JSON text; see <see cref="FromJson(ReadOnlyMemory{byte}, string?)"/>.</summary>
    public static ProofContent FromJson(string json, string? mediaType = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return FromJson(Encoding.UTF8.GetBytes(json), mediaType);
    }

    /// <summary>A binary proof document (e.g. <c>application/c2pa</c>), served on its own by the manifest route.</summary>
    /// <exception cref="ArgumentException"><paramref name="mediaType"/> is missing or a JSON type (use <see cref="FromJson(ReadOnlyMemory{byte}, string?)"/>).</exception>
    public static ProofContent FromDocument(ReadOnlyMemory<byte> document, string mediaType)
    {
        if (string.IsNullOrWhiteSpace(mediaType) || mediaType.EndsWith("/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("A binary proof document needs its non-JSON media type, e.g. application/c2pa.", nameof(mediaType));
        }

        return new ProofContent(document, isJson: false, mediaType);
    }

    /// <summary>The length of the proof's JSON value in the request.</summary>
    internal long EncodedLength => IsJson ? Bytes.Length : 2 + Base64.GetMaxEncodedToUtf8Length(Bytes.Length);

    /// <summary>Writes the proof's JSON value: the text as given, or a JSON string of the document's base64, in chunks.</summary>
    internal async Task WriteAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (IsJson)
        {
            await stream.WriteAsync(Bytes, cancellationToken).ConfigureAwait(false);
            return;
        }

        const int ChunkBytes = 48 * 1024; // a multiple of 3: every chunk but the last encodes without padding
        var buffer = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(ChunkBytes) + 1);
        try
        {
            buffer[0] = (byte)'"';
            await stream.WriteAsync(buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false);
            for (var offset = 0; offset < Bytes.Length; offset += ChunkBytes)
            {
                var chunk = Bytes.Slice(offset, Math.Min(ChunkBytes, Bytes.Length - offset));
                Base64.EncodeToUtf8(chunk.Span, buffer, out _, out var written);
                await stream.WriteAsync(buffer.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
            }

            buffer[0] = (byte)'"';
            await stream.WriteAsync(buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
