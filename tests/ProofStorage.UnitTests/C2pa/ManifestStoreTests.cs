using System.Buffers.Binary;
using ProofStorage.Core.C2pa;
using ProofStorage.Testing;
using static ProofStorage.Testing.Jumbf;

namespace ProofStorage.UnitTests.C2pa;

public sealed class ManifestStoreTests
{
    private const string LabelA = "urn:c2pa:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string LabelB = "urn:c2pa:F9168C5E-CEB2-4FAA-B6BF-329BF39FA1E4:acme:2_1";
    private const string LabelC = "urn:c2pa:5e7b01fc-4932-4bab-ab32-d4f12a8aa322";

    [Fact]
    public void Parse_OneManifest_GivesItsLabelAsTheActiveManifest_AndItsByteRange()
    {
        var manifest = Manifest(LabelA);
        var bytes = Store(manifest);

        var store = ManifestStore.Parse(bytes);

        var only = Assert.Single(store.Manifests);
        Assert.Equal(LabelA, only.Label);
        Assert.Same(only, store.ActiveManifest);
        Assert.Equal(C2paManifestKind.Standard, only.Kind);
        Assert.Equal(manifest, bytes.AsSpan(only.Range.Offset, only.Range.Length).ToArray());
        Assert.Empty(only.SoftBindings);
        Assert.Equal(8, store.DescriptionBox.Offset);
        Assert.Equal(Description(TypeUuid("c2pa"), "c2pa"), bytes.AsSpan(store.DescriptionBox.Offset, store.DescriptionBox.Length).ToArray());
    }

    [Fact]
    public void Parse_SeveralManifests_KeepsStoreOrder_AndTheLastIsActive()
    {
        var store = ManifestStore.Parse(Store(Manifest(LabelA), Manifest(LabelB, "c2um"), Manifest(LabelC)));

        Assert.Equal([LabelA, LabelB, LabelC], store.Manifests.Select(m => m.Label));
        Assert.Equal(LabelC, store.ActiveManifest.Label);
        Assert.Equal(C2paManifestKind.Update, store.Manifests[1].Kind);
    }

    [Fact]
    public void Parse_LegacyAndCompressedManifestTypes_AreManifests()
    {
        var compressed = Superbox("c2cm", LabelB, Box("brob", [1, 2, 3]));
        var store = ManifestStore.Parse(Store(Manifest(LabelA, "c2md"), compressed));

        Assert.Equal(C2paManifestKind.Standard, store.Manifests[0].Kind);
        Assert.Equal(C2paManifestKind.Compressed, store.ActiveManifest.Kind);
        Assert.Empty(store.ActiveManifest.SoftBindings);
    }

    [Fact]
    public void Parse_BoxesOfUnknownTypes_AreSkipped_AndDoNotCountAsManifests()
    {
        var store = ManifestStore.Parse(Store(
            Superbox("xyzw", "vendor.private", Box("json", "{}"u8)),
            Manifest(LabelA),
            Box("free", new byte[5]),
            Superbox("c2db", "c2pa.databoxes", Box("cbor", [0xA0]))));

        Assert.Equal(LabelA, Assert.Single(store.Manifests).Label);
    }

    [Fact]
    public void Parse_A64BitBoxLength_IsRead()
    {
        var manifest = Manifest(LabelA);
        var bytes = LargeBox("jumb", [.. Description(TypeUuid("c2pa"), "c2pa"), .. manifest]);

        var store = ManifestStore.Parse(bytes);

        Assert.Equal(LabelA, store.ActiveManifest.Label);
        Assert.Equal(16 + Description(TypeUuid("c2pa"), "c2pa").Length, store.ActiveManifest.Range.Offset);
    }

    [Fact]
    public void Parse_DescriptionWithIdSignatureAndPrivateBox_IsRead()
    {
        var description = Description(TypeUuid("c2ma"), LabelA, toggles: 0x1F, id: [0, 0, 0, 7], signature: new byte[32], privateBox: Box("c2sh", new byte[16]));
        var manifest = Box("jumb", [.. description, .. Manifest(LabelA).AsSpan(8 + Description(TypeUuid("c2ma"), LabelA).Length)]);

        Assert.Equal(LabelA, ManifestStore.Parse(Store(manifest)).ActiveManifest.Label);
    }

    [Theory]
    [InlineData("urn:uuid:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")]
    [InlineData("adobe:urn:uuid:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")]
    [InlineData("urn:c2pa:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d:")]
    [InlineData("urn:c2pa:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d::12_1")]
    public void Parse_ManifestLabelsOfEveryDefinedForm_AreAccepted(string label) =>
        Assert.Equal(label, ManifestStore.Parse(Store(Manifest(label))).ActiveManifest.Label);

    [Fact]
    public void Parse_SoftBindingAssertions_GiveTheirValues_ByteStringsAsBase64_TextVerbatim()
    {
        var manifest = Manifest(LabelA, "c2ma", null,
            Assertion("c2pa.actions.v2", Cbor(w => WriteMap(w, ("actions", Array.Empty<object>())))),
            Assertion("c2pa.soft-binding", SoftBinding("com.example.watermark.1", new byte[] { 1, 2, 3 }, "dGV4dA==")),
            Assertion("c2pa.soft-binding__1", SoftBinding("com.example.fingerprint.2", new byte[] { 0xFF })));

        var bindings = ManifestStore.Parse(Store(manifest)).ActiveManifest.SoftBindings;

        Assert.Equal(
            [
                new C2paSoftBinding("com.example.watermark.1", "AQID", ValueIsText: false),
                new C2paSoftBinding("com.example.watermark.1", "dGV4dA==", ValueIsText: true),
                new C2paSoftBinding("com.example.fingerprint.2", "/w==", ValueIsText: false),
            ],
            bindings);
    }

    [Fact]
    public void Parse_SoftBindingWithoutAlg_TakesTheClaimsAlgSoft()
    {
        var manifest = Manifest(LabelA, "c2ma", Claim(algSoft: "com.example.default.1"), Assertion("c2pa.soft-binding", SoftBinding(null, new byte[] { 9 })));

        Assert.Equal("com.example.default.1", Assert.Single(ManifestStore.Parse(Store(manifest)).ActiveManifest.SoftBindings).Alg);
    }

    [Fact]
    public void ToActiveManifestOnly_KeepsTheStoreDescriptionAndTheActiveManifestBytes()
    {
        var active = Manifest(LabelB);
        var original = ManifestStore.Parse(Store(Manifest(LabelA), Superbox("xyzw", "vendor"), active));

        var reduced = original.ToActiveManifestOnly();

        Assert.Equal(Store(active), reduced);
        var reread = ManifestStore.Parse(reduced);
        Assert.Equal(LabelB, Assert.Single(reread.Manifests).Label);
    }

    // --- Refusals: one typed exception, with the reason --------------------------------------------------

    public static TheoryData<string, byte[], ManifestStoreFormatError> Refused()
    {
        var valid = Store(Manifest(LabelA));
        var data = new TheoryData<string, byte[], ManifestStoreFormatError>
        {
            { "empty", [], ManifestStoreFormatError.Truncated },
            { "seven bytes", valid[..7], ManifestStoreFormatError.Truncated },
            { "every byte but the last", valid[..^1], ManifestStoreFormatError.Truncated },
            { "a trailing byte", [.. valid, 0], ManifestStoreFormatError.TrailingBytes },
            { "a second store after the first", [.. valid, .. valid], ManifestStoreFormatError.TrailingBytes },
            { "length 0 (to the end of the file)", WithLength(valid, 0, 0), ManifestStoreFormatError.BadBoxLength },
            { "length 7", WithLength(valid, 0, 7), ManifestStoreFormatError.BadBoxLength },
            { "length beyond the input", WithLength(valid, 0, (uint)valid.Length + 1), ManifestStoreFormatError.Truncated },
            { "length 0xFFFFFFFF", WithLength(valid, 0, uint.MaxValue), ManifestStoreFormatError.Truncated },
            { "XLBox of 15", XlBox(valid, 15), ManifestStoreFormatError.BadBoxLength },
            { "XLBox beyond the input", XlBox(valid, (ulong)valid.Length + 9), ManifestStoreFormatError.Truncated },
            { "XLBox of 2^64-1", XlBox(valid, ulong.MaxValue), ManifestStoreFormatError.Truncated },
            { "XLBox cut short", [0, 0, 0, 1, .. "jumb"u8, 0, 0], ManifestStoreFormatError.Truncated },
            { "inner box past its superbox", WithLength(valid, 8 + Description(TypeUuid("c2pa"), "c2pa").Length, (uint)valid.Length), ManifestStoreFormatError.BadBoxLength },
            { "inner box of length 3", WithLength(valid, 8, 3), ManifestStoreFormatError.BadBoxLength },
            { "not a superbox", Box("free", new byte[40]), ManifestStoreFormatError.NotAManifestStore },
            { "JSON text", "{\"proof\":true}"u8.ToArray(), ManifestStoreFormatError.Truncated },
            { "outer type c2ma", Superbox("c2ma", "c2pa", Manifest(LabelA)), ManifestStoreFormatError.NotAManifestStore },
            { "outer label c2pb", Superbox("c2pa", "c2pb", Manifest(LabelA)), ManifestStoreFormatError.NotAManifestStore },
            { "no description box", Box("jumb", Manifest(LabelA)), ManifestStoreFormatError.BadDescriptionBox },
            { "empty superbox", Box("jumb", []), ManifestStoreFormatError.BadDescriptionBox },
            { "two description boxes", Box("jumb", [.. Description(TypeUuid("c2pa"), "c2pa"), .. Description(TypeUuid("c2pa"), "c2pa"), .. Manifest(LabelA)]), ManifestStoreFormatError.BadDescriptionBox },
            { "no label toggle", Box("jumb", [.. Description(TypeUuid("c2pa"), null, toggles: 0x01), .. Manifest(LabelA)]), ManifestStoreFormatError.BadDescriptionBox },
            { "not requestable", Box("jumb", [.. Description(TypeUuid("c2pa"), "c2pa", toggles: 0x02), .. Manifest(LabelA)]), ManifestStoreFormatError.BadDescriptionBox },
            { "unterminated label", Box("jumb", [.. Box("jumd", [.. TypeUuid("c2pa"), 0x03, .. "c2pa"u8]), .. Manifest(LabelA)]), ManifestStoreFormatError.BadDescriptionBox },
            { "description shorter than a UUID", Box("jumb", [.. Box("jumd", new byte[10]), .. Manifest(LabelA)]), ManifestStoreFormatError.BadDescriptionBox },
            { "signature toggle without signature", Box("jumb", [.. Description(TypeUuid("c2pa"), "c2pa", toggles: 0x0B), .. Manifest(LabelA)]), ManifestStoreFormatError.BadDescriptionBox },
            { "private box longer than the description", Box("jumb", [.. Description(TypeUuid("c2pa"), "c2pa", toggles: 0x13, privateBox: [0, 0, 0, 200, .. "c2sh"u8]), .. Manifest(LabelA)]), ManifestStoreFormatError.BadBoxLength },
            { "bytes after the description fields", Box("jumb", [.. Description(TypeUuid("c2pa"), "c2pa", id: [1, 2]), .. Manifest(LabelA)]), ManifestStoreFormatError.BadDescriptionBox },
            { "label with a slash", Store(Superbox("xyzw", "a/b"), Manifest(LabelA)), ManifestStoreFormatError.InvalidLabel },
            { "label with a control", Store(Superbox("xyzw", "a\u0001b"), Manifest(LabelA)), ManifestStoreFormatError.InvalidLabel },
            { "label with U+FEFF", Store(Superbox("xyzw", "a\uFEFFb"), Manifest(LabelA)), ManifestStoreFormatError.InvalidLabel },
            { "empty label", Store(Superbox("xyzw", string.Empty), Manifest(LabelA)), ManifestStoreFormatError.InvalidLabel },
            { "label not UTF-8", Box("jumb", [.. Box("jumd", [.. TypeUuid("c2pa"), 0x03, 0xC3, 0x28, 0]), .. Manifest(LabelA)]), ManifestStoreFormatError.InvalidLabel },
            { "no manifest", Store(Superbox("xyzw", "vendor")), ManifestStoreFormatError.NoManifest },
            { "only a description", Box("jumb", Description(TypeUuid("c2pa"), "c2pa")), ManifestStoreFormatError.NoManifest },
            { "manifest label not a URN", Store(Manifest("c2pa.manifest")), ManifestStoreFormatError.InvalidManifestLabel },
            { "manifest label with a bad UUID", Store(Manifest("urn:c2pa:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4")), ManifestStoreFormatError.InvalidManifestLabel },
            { "manifest label with a long generator", Store(Manifest(LabelA + ":" + new string('g', 33))), ManifestStoreFormatError.InvalidManifestLabel },
            { "manifest label too long", Store(Manifest(LabelA + "::" + new string('1', 200) + "_" + new string('1', 100))), ManifestStoreFormatError.InvalidManifestLabel },
            { "two manifests with one label", Store(Manifest(LabelA), Manifest(LabelA)), ManifestStoreFormatError.DuplicateManifestLabel },
            { "manifest without a claim", Store(Superbox("c2ma", LabelA, Superbox("c2as", "c2pa.assertions", Assertion("c2pa.actions", [0xA0])), Superbox("c2cs", "c2pa.signature", Box("cbor", [0x40])))), ManifestStoreFormatError.IncompleteManifest },
            { "manifest without a signature", Store(Superbox("c2ma", LabelA, Superbox("c2as", "c2pa.assertions", Assertion("c2pa.actions", [0xA0])), Superbox("c2cl", "c2pa.claim.v2", Box("cbor", [0xA0])))), ManifestStoreFormatError.IncompleteManifest },
            { "manifest without assertions", Store(Superbox("c2ma", LabelA, Superbox("c2as", "c2pa.assertions"), Superbox("c2cl", "c2pa.claim.v2", Box("cbor", [0xA0])), Superbox("c2cs", "c2pa.signature", Box("cbor", [0x40])))), ManifestStoreFormatError.IncompleteManifest },
            { "claim with a JSON box", Store(Superbox("c2ma", LabelA, Superbox("c2as", "c2pa.assertions", Assertion("c2pa.actions", [0xA0])), Superbox("c2cl", "c2pa.claim.v2", Box("json", "{}"u8)), Superbox("c2cs", "c2pa.signature", Box("cbor", [0x40])))), ManifestStoreFormatError.IncompleteManifest },
            { "two claims", Store(Superbox("c2ma", LabelA, Superbox("c2as", "c2pa.assertions", Assertion("c2pa.actions", [0xA0])), Superbox("c2cl", "c2pa.claim.v2", Box("cbor", [0xA0])), Superbox("c2cl", "c2pa.claim.v2", Box("cbor", [0xA0])), Superbox("c2cs", "c2pa.signature", Box("cbor", [0x40])))), ManifestStoreFormatError.IncompleteManifest },
            { "compressed manifest without brob", Store(Superbox("c2cm", LabelA, Box("free", [0]))), ManifestStoreFormatError.IncompleteManifest },
            { "soft binding that is not a map", Store(Manifest(LabelA, "c2ma", null, Assertion("c2pa.soft-binding", [0x80]))), ManifestStoreFormatError.InvalidSoftBinding },
            { "soft binding without blocks", Store(Manifest(LabelA, "c2ma", null, Assertion("c2pa.soft-binding", SoftBinding("alg")))), ManifestStoreFormatError.InvalidSoftBinding },
            { "soft binding without any alg", Store(Manifest(LabelA, "c2ma", null, Assertion("c2pa.soft-binding", SoftBinding(null, new byte[] { 1 })))), ManifestStoreFormatError.InvalidSoftBinding },
            { "soft binding with an empty value", Store(Manifest(LabelA, "c2ma", null, Assertion("c2pa.soft-binding", SoftBinding("alg", Array.Empty<byte>())))), ManifestStoreFormatError.InvalidSoftBinding },
            { "soft binding with a numeric value", Store(Manifest(LabelA, "c2ma", null, Assertion("c2pa.soft-binding", SoftBinding("alg", 5)))), ManifestStoreFormatError.InvalidSoftBinding },
            { "soft binding with a control in alg", Store(Manifest(LabelA, "c2ma", null, Assertion("c2pa.soft-binding", SoftBinding("a\nb", new byte[] { 1 })))), ManifestStoreFormatError.InvalidSoftBinding },
            { "soft binding truncated CBOR", Store(Manifest(LabelA, "c2ma", null, Assertion("c2pa.soft-binding", SoftBinding("alg", new byte[] { 1 })[..^2]))), ManifestStoreFormatError.InvalidSoftBinding },
            { "soft binding with bytes after the map", Store(Manifest(LabelA, "c2ma", null, Assertion("c2pa.soft-binding", [.. SoftBinding("alg", new byte[] { 1 }), 0]))), ManifestStoreFormatError.InvalidSoftBinding },
            { "soft binding with a duplicate key", Store(Manifest(LabelA, "c2ma", null, Assertion("c2pa.soft-binding", Cbor(w => WriteMap(w, ("alg", "a"), ("alg", "b"), ("blocks", new object[] { new (string, object)[] { ("value", new byte[] { 1 }) } })))))), ManifestStoreFormatError.InvalidSoftBinding },
            { "soft binding in two CBOR boxes", Store(Manifest(LabelA, "c2ma", null, Superbox("cbor", "c2pa.soft-binding", Box("cbor", SoftBinding("a", new byte[] { 1 })), Box("cbor", [0xA0])))), ManifestStoreFormatError.InvalidSoftBinding },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Parse_RefusesWhatIsNotAManifestStore_WithItsReason(string name, byte[] input, ManifestStoreFormatError expected)
    {
        var refused = Assert.Throws<ManifestStoreFormatException>(() => ManifestStore.Parse(input));

        Assert.True(expected == refused.Error, $"{name}: {refused.Error} ({refused.Message}), expected {expected}");
        Assert.InRange(refused.Offset, 0, Math.Max(0, input.Length - 1));
        Assert.False(string.IsNullOrWhiteSpace(refused.Message));
    }

    [Fact]
    public void Parse_NestingDeeperThanTheBound_IsRefused_WithoutRecursingFurther()
    {
        // 100,000 nested superboxes (3.5 MB): refused at depth MaxDepth + 1, never walked to the bottom.
        var refused = Assert.Throws<ManifestStoreFormatException>(() => ManifestStore.Parse(Store(Nested(100_000), Manifest(LabelA))));

        Assert.Equal(ManifestStoreFormatError.NestingTooDeep, refused.Error);
    }

    [Fact]
    public void Parse_NestingAtTheBound_IsAccepted_AndOneDeeperIsNot()
    {
        // The store is depth 1, so boxes nested MaxDepth - 1 levels inside it reach exactly MaxDepth.
        Assert.Equal(LabelA, ManifestStore.Parse(Store(Nested(ManifestStore.MaxDepth - 1), Manifest(LabelA))).ActiveManifest.Label);
        Assert.Equal(ManifestStoreFormatError.NestingTooDeep,
            Assert.Throws<ManifestStoreFormatException>(() => ManifestStore.Parse(Store(Nested(ManifestStore.MaxDepth), Manifest(LabelA)))).Error);
    }

    [Theory]
    [InlineData(40, null)]
    [InlineData(1_000_000, ManifestStoreFormatError.InvalidSoftBinding)]
    public void Parse_NestedCborInASoftBindingScope_IsSkipped_UpToTheCborDepthBound(int depth, ManifestStoreFormatError? expected)
    {
        // A block scope of nested one-element arrays: skipped when shallow; the CBOR reader's own depth bound (64)
        // refuses a deep one without recursing per level.
        byte[] scope = [.. Enumerable.Repeat((byte)0x81, depth), 0x00];
        byte[] cbor = [0xA2, .. Cbor(w => w.WriteTextString("alg")), .. Cbor(w => w.WriteTextString("a")), .. Cbor(w => w.WriteTextString("blocks")),
            0x81, 0xA2, .. Cbor(w => w.WriteTextString("scope")), .. scope, .. Cbor(w => w.WriteTextString("value")), .. Cbor(w => w.WriteByteString([7]))];
        var input = Store(Manifest(LabelA, "c2ma", null, Assertion("c2pa.soft-binding", cbor)));

        if (expected is null)
        {
            Assert.Equal(new C2paSoftBinding("a", "Bw==", ValueIsText: false), Assert.Single(ManifestStore.Parse(input).ActiveManifest.SoftBindings));
        }
        else
        {
            Assert.Equal(expected, Assert.Throws<ManifestStoreFormatException>(() => ManifestStore.Parse(input)).Error);
        }
    }

    [Fact]
    public void Parse_MoreBoxesThanTheBound_IsRefused()
    {
        var padding = Enumerable.Repeat(Box("free", []), ManifestStore.MaxBoxes).SelectMany(b => b).ToArray();

        var refused = Assert.Throws<ManifestStoreFormatException>(() => ManifestStore.Parse(Store(Manifest(LabelA), padding)));

        Assert.Equal(ManifestStoreFormatError.TooManyBoxes, refused.Error);
    }

    /// <summary><paramref name="levels"/> superboxes each holding the next, written in one pass (wrapping one by one would copy quadratically).</summary>
    private static byte[] Nested(int levels)
    {
        var description = Description(TypeUuid("xyzw"), "x");
        var level = 8 + description.Length;
        var bytes = new byte[levels * level];
        for (var i = 0; i < levels; i++)
        {
            var offset = i * level;
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), (uint)(bytes.Length - offset));
            "jumb"u8.CopyTo(bytes.AsSpan(offset + 4));
            description.CopyTo(bytes.AsSpan(offset + 8));
        }

        return bytes;
    }

    private static byte[] WithLength(byte[] bytes, int offset, uint length)
    {
        var copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), length);
        return copy;
    }

    private static byte[] XlBox(byte[] store, ulong extendedLength)
    {
        var copy = LargeBox("jumb", store.AsSpan(8));
        BinaryPrimitives.WriteUInt64BigEndian(copy.AsSpan(8), extendedLength);
        return copy;
    }
}
