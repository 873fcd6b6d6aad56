namespace ProofStorage.Core.Model;

/// <summary>Rules for the ids clients send: native proof ids and legacy ids kept as aliases.</summary>
public static class ProofIds
{
    /// <summary>Length of a native proof id (128 bits, base64url without padding).</summary>
    public const int NativeLength = 22;

    /// <summary>Longest id accepted anywhere (legacy ids included).</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// True for an id the API accepts: 1–128 characters of <c>[A-Za-z0-9_-]</c> (URL-safe, and safe as an
    /// object key segment). Native ids are the 22-character subset; any other valid id can only be a legacy alias.
    /// </summary>
    public static bool IsValid(string? id) => IsUrlSafeToken(id, MaxLength);

    /// <summary>True for 1–<paramref name="maxLength"/> characters of <c>[A-Za-z0-9_-]</c> (URL- and path-segment-safe).</summary>
    public static bool IsUrlSafeToken(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value) || value.Length > maxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="id"/> has the shape of an id this service derives (it may still not exist).</summary>
    public static bool IsNativeShape(string id) => id.Length == NativeLength && IsValid(id);
}
