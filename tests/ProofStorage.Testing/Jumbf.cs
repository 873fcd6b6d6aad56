using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Text;

namespace ProofStorage.Testing;

/// <summary>
/// Builds JUMBF boxes and C2PA manifest stores byte by byte (ISO/IEC 19566-5 layout), so tests can make well-formed stores
/// and then break exactly one thing. The defaults are what a C2PA claim generator writes.
/// </summary>
public static class Jumbf
{
    /// <summary>The suffix every C2PA/JUMBF type UUID shares after its four-character code.</summary>
    private static readonly byte[] UuidSuffix = [0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>A box with an 8-byte header (LBox, TBox) around <paramref name="payload"/>.</summary>
    public static byte[] Box(string type, ReadOnlySpan<byte> payload)
    {
        var box = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        Encoding.ASCII.GetBytes(type, box.AsSpan(4, 4));
        payload.CopyTo(box.AsSpan(8));
        return box;
    }

    /// <summary>The same box with the 64-bit length form: LBox = 1, then XLBox.</summary>
    public static byte[] LargeBox(string type, ReadOnlySpan<byte> payload)
    {
        var box = new byte[16 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, 1);
        Encoding.ASCII.GetBytes(type, box.AsSpan(4, 4));
        BinaryPrimitives.WriteUInt64BigEndian(box.AsSpan(8), (ulong)box.Length);
        payload.CopyTo(box.AsSpan(16));
        return box;
    }

    /// <summary>A type UUID: a four-character code followed by the C2PA/JUMBF suffix.</summary>
    public static byte[] TypeUuid(string code) => [.. Encoding.ASCII.GetBytes(code), .. UuidSuffix];

    /// <summary>A description box (jumd): TYPE, TOGGLES, then per the toggles the null-terminated label, ID, signature, private box.</summary>
    public static byte[] Description(byte[] typeUuid, string? label, byte toggles = 0x03, byte[]? id = null, byte[]? signature = null, byte[]? privateBox = null)
    {
        var fields = new List<byte>(typeUuid) { toggles };
        if (label is not null)
        {
            fields.AddRange(Encoding.UTF8.GetBytes(label));
            fields.Add(0);
        }

        fields.AddRange(id ?? []);
        fields.AddRange(signature ?? []);
        fields.AddRange(privateBox ?? []);
        return Box("jumd", fields.ToArray());
    }

    /// <summary>A superbox (jumb) of the given type code and label holding <paramref name="children"/>.</summary>
    public static byte[] Superbox(string typeCode, string label, params byte[][] children) =>
        Box("jumb", [.. Description(TypeUuid(typeCode), label), .. children.SelectMany(c => c)]);

    /// <summary>A manifest store holding <paramref name="boxes"/> (manifests, or anything else).</summary>
    public static byte[] Store(params byte[][] boxes) => Superbox("c2pa", "c2pa", boxes);

    /// <summary>A manifest: an assertion store with <paramref name="assertions"/> (a c2pa.actions one when none), a claim and a signature.</summary>
    public static byte[] Manifest(string label, string kind = "c2ma", byte[]? claim = null, params byte[][] assertions) =>
        Superbox(kind, label,
            Superbox("c2as", "c2pa.assertions", assertions.Length > 0 ? assertions : [Assertion("c2pa.actions.v2", Cbor(w => WriteMap(w, ("actions", Array.Empty<object>()))))]),
            Superbox("c2cl", "c2pa.claim.v2", Box("cbor", claim ?? Claim())),
            Superbox("c2cs", "c2pa.signature", Box("cbor", Cbor(w => w.WriteByteString(new byte[64])))));

    /// <summary>
    /// A well-formed one-manifest store whose active manifest is <paramref name="label"/> (a fresh <c>urn:c2pa:</c> UUID when
    /// null), declaring each of <paramref name="softBindings"/> in a <c>c2pa.soft-binding</c> assertion (values as byte strings,
    /// as the specification's CDDL says); <paramref name="padding"/> extra bytes in a JUMBF padding box make it as large as a
    /// test needs.
    /// </summary>
    public static byte[] ManifestStoreBytes(string? label = null, int padding = 0, params (string Alg, byte[] Value)[] softBindings)
    {
        List<byte[]> assertions = [Assertion("c2pa.actions.v2", Cbor(w => WriteMap(w, ("actions", Array.Empty<object>()))))];
        for (var i = 0; i < softBindings.Length; i++)
        {
            assertions.Add(Assertion(i == 0 ? "c2pa.soft-binding" : $"c2pa.soft-binding__{i}", SoftBinding(softBindings[i].Alg, softBindings[i].Value)));
        }

        var manifest = Manifest(label ?? NewLabel(), assertions: [.. assertions]);
        return padding > 0 ? Store(manifest, Box("free", new byte[padding])) : Store(manifest);
    }

    /// <summary>A new manifest label, <c>urn:c2pa:UUID</c>.</summary>
    public static string NewLabel() => "urn:c2pa:" + Guid.NewGuid().ToString("D");

    /// <summary>A CBOR assertion superbox (JUMBF CBOR content type) with one cbor content box.</summary>
    public static byte[] Assertion(string label, byte[] cbor) => Superbox("cbor", label, Box("cbor", cbor));

    /// <summary>A claim map, with <c>alg_soft</c> when given.</summary>
    public static byte[] Claim(string? algSoft = null) => Cbor(w =>
    {
        var fields = new List<(string, object)> { ("instanceID", "xmp:iid:test"), ("alg", "sha256") };
        if (algSoft is not null)
        {
            fields.Add(("alg_soft", algSoft));
        }

        WriteMap(w, [.. fields]);
    });

    /// <summary>
    /// A soft-binding map: <c>alg</c> when given, one block per value (a byte[] is written as a byte string, a string as text),
    /// each with an empty scope, and the required <c>pad</c>.
    /// </summary>
    public static byte[] SoftBinding(string? alg, params object[] values) => Cbor(w =>
    {
        var fields = new List<(string, object)>();
        if (alg is not null)
        {
            fields.Add(("alg", alg));
        }

        fields.Add(("blocks", values.Select(v => (object)new (string, object)[] { ("scope", Array.Empty<(string, object)>()), ("value", v) }).ToArray()));
        fields.Add(("pad", new byte[] { 0 }));
        WriteMap(w, [.. fields]);
    });

    /// <summary>CBOR written by <paramref name="write"/> (lax: tests may write what a strict reader refuses).</summary>
    public static byte[] Cbor(Action<CborWriter> write)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        write(writer);
        return writer.Encode();
    }

    /// <summary>Writes a map of text keys; values may be strings, byte[], ints, object[] (arrays) or (string, object)[] (maps).</summary>
    public static void WriteMap(CborWriter writer, params (string Key, object Value)[] fields)
    {
        writer.WriteStartMap(fields.Length);
        foreach (var (key, value) in fields)
        {
            writer.WriteTextString(key);
            WriteValue(writer, value);
        }

        writer.WriteEndMap();
    }

    private static void WriteValue(CborWriter writer, object value)
    {
        switch (value)
        {
            case string text:
                writer.WriteTextString(text);
                break;
            case byte[] bytes:
                writer.WriteByteString(bytes);
                break;
            case int number:
                writer.WriteInt32(number);
                break;
            case (string, object)[] map:
                WriteMap(writer, map);
                break;
            case object[] array:
                writer.WriteStartArray(array.Length);
                foreach (var item in array)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"Cannot write {value.GetType()} as CBOR.", nameof(value));
        }
    }
}
