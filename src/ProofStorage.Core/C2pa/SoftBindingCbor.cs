using System.Formats.Cbor;
using System.Text;

namespace ProofStorage.Core.C2pa;

/// <summary>
/// Reads the CBOR this service needs from a manifest: a soft-binding assertion (C2PA "Soft Binding": <c>soft-binding-map</c>)
/// and a claim's <c>alg_soft</c>. Strict CBOR (well-formed, valid UTF-8, no duplicate map keys, nothing after the value);
/// fields other than those read are skipped whatever their type. Any CBOR failure becomes
/// <see cref="ManifestStoreFormatError.InvalidSoftBinding"/>.
/// </summary>
internal static class SoftBindingCbor
{
    /// <summary>The assertion's <c>alg</c> (null when absent) and its blocks' values, in order.</summary>
    public static (string? Alg, List<(string Value, bool IsText)> Values) ReadAssertion(ReadOnlyMemory<byte> cbor, int boxOffset)
    {
        try
        {
            var reader = new CborReader(cbor, CborConformanceMode.Strict);
            string? alg = null;
            List<(string, bool)>? values = null;
            ReadMap(reader, boxOffset, "The soft-binding assertion", key =>
            {
                switch (key)
                {
                    case "alg":
                        alg = ReadText(reader, boxOffset, "Its alg");
                        return true;
                    case "blocks":
                        values = ReadBlocks(reader, boxOffset);
                        return true;
                    default:
                        return false;
                }
            });
            if (values is null or { Count: 0 })
            {
                throw Invalid(boxOffset, "The soft-binding assertion has no blocks.");
            }

            return (alg, values);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException or DecoderFallbackException)
        {
            throw Invalid(boxOffset, "The soft-binding assertion is not well-formed CBOR.", e);
        }
    }

    /// <summary>The claim's <c>alg_soft</c>, or null when it has none.</summary>
    public static string? ReadClaimAlgSoft(ReadOnlyMemory<byte> cbor, int boxOffset)
    {
        try
        {
            var reader = new CborReader(cbor, CborConformanceMode.Strict);
            string? algSoft = null;
            ReadMap(reader, boxOffset, "The claim", key =>
            {
                if (key != "alg_soft")
                {
                    return false;
                }

                algSoft = ReadText(reader, boxOffset, "The claim's alg_soft");
                return true;
            });
            return algSoft;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException or DecoderFallbackException)
        {
            throw Invalid(boxOffset, "The claim is not well-formed CBOR.", e);
        }
    }

    private static List<(string, bool)> ReadBlocks(CborReader reader, int boxOffset)
    {
        if (reader.PeekState() != CborReaderState.StartArray)
        {
            throw Invalid(boxOffset, "The soft-binding blocks are not an array.");
        }

        var values = new List<(string, bool)>();
        reader.ReadStartArray();
        while (reader.PeekState() != CborReaderState.EndArray)
        {
            (string, bool)? value = null;
            ReadMap(reader, boxOffset, "A soft-binding block", key =>
            {
                if (key != "value")
                {
                    return false;
                }

                value = reader.PeekState() switch
                {
                    CborReaderState.ByteString => (Convert.ToBase64String(reader.ReadByteString()), false),
                    CborReaderState.TextString => (reader.ReadTextString(), true),
                    _ => throw Invalid(boxOffset, "A soft-binding block value is neither a byte string nor a text string."),
                };
                return true;
            });
            if (value is not { } found || found.Item1.Length == 0)
            {
                throw Invalid(boxOffset, "A soft-binding block has no value, or an empty one.");
            }

            values.Add(found);
        }

        reader.ReadEndArray();
        return values;
    }

    /// <summary>
    /// Reads a map whose keys are text; <paramref name="readField"/> reads the value of a key it knows and returns true,
    /// or returns false to have it skipped. Requires the map to be the whole input when it is the root value.
    /// </summary>
    private static void ReadMap(CborReader reader, int boxOffset, string what, Func<string, bool> readField)
    {
        if (reader.PeekState() != CborReaderState.StartMap)
        {
            throw Invalid(boxOffset, $"{what} is not a CBOR map.");
        }

        var root = reader.CurrentDepth == 0;
        reader.ReadStartMap();
        while (reader.PeekState() != CborReaderState.EndMap)
        {
            if (reader.PeekState() != CborReaderState.TextString)
            {
                throw Invalid(boxOffset, $"{what} has a key that is not text.");
            }

            if (!readField(reader.ReadTextString()))
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndMap();
        if (root && reader.BytesRemaining != 0)
        {
            throw Invalid(boxOffset, $"{what} is followed by {reader.BytesRemaining} more bytes in its CBOR box.");
        }
    }

    private static string ReadText(CborReader reader, int boxOffset, string what) =>
        reader.PeekState() == CborReaderState.TextString ? reader.ReadTextString() : throw Invalid(boxOffset, $"{what} is not a text string.");

    private static ManifestStoreFormatException Invalid(int boxOffset, string message, Exception? inner = null) =>
        ManifestStoreReader.Fail(ManifestStoreFormatError.InvalidSoftBinding, boxOffset, message, inner);
}
