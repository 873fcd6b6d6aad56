using System.Text.Json;

namespace ProofStorage.Core.Model;

/// <summary>
/// What the optional media type of a proof means. A proof is always stored as one JSON value; its media type says
/// what the document itself is when it is served on its own (the manifest route):
/// <list type="bullet">
/// <item>none, <c>application/json</c> or any <c>…+json</c> type: the document is the proof's JSON text, byte for byte as sent;</item>
/// <item>any other type (for example <c>application/c2pa</c>, a binary JUMBF manifest store): the proof is a JSON
/// string holding the document's bytes in base64, and the document is those decoded bytes.</item>
/// </list>
/// </summary>
public static class ProofMediaTypes
{
    /// <summary>The media type of a proof stored without one.</summary>
    public const string Json = "application/json";

    /// <summary>A C2PA manifest store (JUMBF), C2PA's media type for it (<c>application/x-c2pa-manifest-store</c> is its deprecated name).</summary>
    public const string C2pa = "application/c2pa";

    /// <summary>Longest accepted media type (RFC 6838 caps each half at 127 characters).</summary>
    public const int MaxLength = 255;

    /// <summary>
    /// Checks a media type given on store against the proof value; returns why it is refused, or
    /// <see langword="null"/> when it is fine. Only <c>type/subtype</c> is accepted (no parameters).
    /// </summary>
    public static string? Check(string? mediaType, ReadOnlySpan<byte> proof)
    {
        if (mediaType is null)
        {
            return null;
        }

        if (!IsWellFormed(mediaType))
        {
            return $"proofMediaType must be a media type 'type/subtype' (letters, digits and !#$&-^_.+ only, no parameters, at most {MaxLength} characters), for example application/c2pa.";
        }

        if (IsJson(mediaType))
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(proof);
            if (reader.Read() && reader.TokenType == JsonTokenType.String && reader.TryGetBytesFromBase64(out _))
            {
                return null;
            }
        }
        catch (JsonException)
        {
            // Not JSON at all: the caller's JSON check reports that.
        }

        return $"A proof whose proofMediaType ({mediaType}) is not JSON must be a JSON string holding the document's bytes in standard base64.";
    }

    /// <summary>True for <see langword="null"/> (plain JSON), <c>application/json</c> and <c>…+json</c> types.</summary>
    public static bool IsJson(string? mediaType) =>
        mediaType is null
        || mediaType.Equals(Json, StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static bool IsWellFormed(string mediaType)
    {
        if (mediaType.Length is 0 or > MaxLength)
        {
            return false;
        }

        var slash = mediaType.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == mediaType.Length - 1 || mediaType.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }

        foreach (var c in mediaType)
        {
            // RFC 6838 restricted-name characters, plus the separator.
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '!' or '#' or '$' or '&' or '-' or '^' or '_' or '.' or '+'))
            {
                return false;
            }
        }

        return true;
    }
}
