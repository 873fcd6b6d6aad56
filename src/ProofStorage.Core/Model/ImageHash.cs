using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace ProofStorage.Core.Model;

/// <summary>A SHA-256 image digest: exactly 64 hexadecimal characters, kept in lower case.</summary>
public readonly record struct ImageHash
{
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");
    private static readonly SearchValues<char> Hex = SearchValues.Create("0123456789abcdefABCDEF");

    private ImageHash(string value) => Value = value;

    /// <summary>The 64 lower-case hex characters.</summary>
    public string Value { get; }

    /// <summary>Parses 64 hex characters (either case); anything else is rejected.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ImageHash hash)
    {
        hash = default;
        if (text is null || text.Length != 64)
        {
            return false;
        }

        // One vectorised pass for the usual spelling (lower case, kept as sent); a second only for upper case.
        if (!text.AsSpan().ContainsAnyExcept(LowerHex))
        {
            hash = new ImageHash(text);
            return true;
        }

        if (text.AsSpan().ContainsAnyExcept(Hex))
        {
            return false;
        }

        hash = new ImageHash(text.ToLowerInvariant());
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static ImageHash Parse(string text) =>
        TryParse(text, out var hash) ? hash : throw new FormatException("An image hash is 64 hexadecimal characters (SHA-256).");

    /// <summary>The 32 digest bytes.</summary>
    public byte[] ToBytes() => Convert.FromHexString(Value);

    public override string ToString() => Value;
}
