using System.Diagnostics.CodeAnalysis;

namespace ProofStorage.Core.C2pa;

/// <summary>
/// A soft binding as this service indexes and matches it: an algorithm from the C2PA list
/// (<see cref="SoftBindingAlgorithms"/>) and a value, which the Soft Binding Resolution API passes as base64 of the
/// algorithm's bytes. Two bindings match when the algorithm is the same and the value decodes to the same bytes;
/// <see cref="Value"/> is always the canonical base64 of those bytes (padded, no line breaks), so equal bindings are
/// equal records.
/// </summary>
public sealed record SoftBinding
{
    /// <summary>Longest value accepted, in decoded bytes (watermark payloads are tens of bytes; fingerprints may be larger).</summary>
    public const int MaxValueBytes = 4096;

    /// <summary>The most bindings one proof may carry (each is an index object written with the proof).</summary>
    public const int MaxPerProof = 16;

    private SoftBinding(string alg, byte[] value)
    {
        Alg = alg;
        Value = Convert.ToBase64String(value);
    }

    /// <summary>The algorithm name, exactly as on the list.</summary>
    public string Alg { get; }

    /// <summary>The value's bytes in canonical standard base64.</summary>
    public string Value { get; }

    /// <summary>The value's bytes.</summary>
    public byte[] ValueBytes() => Convert.FromBase64String(Value);

    /// <summary>
    /// Reads a binding as a client sends it. <paramref name="error"/> says what is wrong, naming the part
    /// (<see cref="SoftBindingError"/>), when the algorithm is not on the list or the value is not 1–<see cref="MaxValueBytes"/>
    /// bytes in standard base64 (RFC 4648 §4: <c>A–Z a–z 0–9 + /</c>, padded with <c>=</c>, no spaces or line breaks).
    /// </summary>
    public static bool TryCreate(string? alg, string? value, [NotNullWhen(true)] out SoftBinding? binding, out SoftBindingError error)
    {
        binding = null;
        if (!SoftBindingAlgorithms.IsKnown(alg))
        {
            error = SoftBindingError.UnknownAlgorithm;
            return false;
        }

        if (!TryDecodeValue(value, out var bytes))
        {
            error = SoftBindingError.MalformedValue;
            return false;
        }

        binding = new SoftBinding(alg!, bytes);
        error = SoftBindingError.None;
        return true;
    }

    /// <summary>
    /// Decodes a value given in standard base64, strictly: what <see cref="Convert.FromBase64String"/> would quietly
    /// accept but a client did not mean (spaces, as a <c>+</c> becomes in an unencoded query string; line breaks) is
    /// refused, and so is an empty or over-long value.
    /// </summary>
    public static bool TryDecodeValue(string? value, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (string.IsNullOrEmpty(value) || value.Length % 4 != 0 || value.Length > (MaxValueBytes + 2) / 3 * 4)
        {
            return false;
        }

        var padding = value.EndsWith("==", StringComparison.Ordinal) ? 2 : value.EndsWith('=') ? 1 : 0;
        for (var i = 0; i < value.Length - padding; i++)
        {
            var c = value[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
            {
                return false;
            }
        }

        var buffer = new byte[value.Length / 4 * 3];
        if (!Convert.TryFromBase64String(value, buffer, out var written) || written == 0 || written > MaxValueBytes)
        {
            return false;
        }

        bytes = written == buffer.Length ? buffer : buffer[..written];
        return true;
    }

    /// <summary>
    /// A binding as a stored record holds it (algorithm and canonical value, checked when it was stored). The algorithm is
    /// not looked up again: a record stays readable whatever the list says later. Throws <see cref="FormatException"/> for a
    /// value that is not base64.
    /// </summary>
    internal static SoftBinding FromRecord(string alg, string value) =>
        TryDecodeValue(value, out var bytes) ? new SoftBinding(alg, bytes) : throw new FormatException("A recorded soft binding value is not base64.");

    /// <summary>What a client is told for each <see cref="SoftBindingError"/>.</summary>
    public static string Describe(SoftBindingError error) => error switch
    {
        SoftBindingError.UnknownAlgorithm =>
            "alg is not on the C2PA soft binding algorithm list (GET /c2pa/v1/services/supportedAlgorithms lists the accepted names; they are case-sensitive).",
        SoftBindingError.MalformedValue =>
            $"value must be 1-{MaxValueBytes} bytes in standard base64 (A-Z a-z 0-9 + /, padded with =, no spaces; percent-encode + as %2B in a URL).",
        _ => "The soft binding is valid.",
    };

    public bool Equals(SoftBinding? other) =>
        other is not null && string.Equals(Alg, other.Alg, StringComparison.Ordinal) && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Alg, Value);
}

/// <summary>Why a soft binding was refused.</summary>
public enum SoftBindingError
{
    /// <summary>Nothing is wrong.</summary>
    None,

    /// <summary>The algorithm is not on the C2PA list.</summary>
    UnknownAlgorithm,

    /// <summary>The value is empty, too long or not standard base64.</summary>
    MalformedValue,
}
