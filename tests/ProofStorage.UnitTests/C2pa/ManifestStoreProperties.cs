using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ProofStorage.Core.C2pa;
using static ProofStorage.Testing.ManifestStoreFuzz;
using static ProofStorage.Testing.Jumbf;

namespace ProofStorage.UnitTests.C2pa;

/// <summary>
/// Property tests of the manifest store reader over generated input: whatever the bytes, it returns a store or throws
/// <see cref="ManifestStoreFormatException"/>, never anything else (any other exception fails the property). Inputs are
/// small (at most a few KB), so every case is quick by construction. The real stores c2pa-rs writes are fuzzed the same
/// way in the integration tests (C2pa/ManifestStoreRealDataFuzzTests).
/// </summary>
public sealed class ManifestStoreProperties
{
    private static readonly byte[] Sample = Store(
        Manifest("urn:c2pa:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "c2ma", Claim("com.example.default.1"),
            Assertion("c2pa.actions.v2", Cbor(w => WriteMap(w, ("actions", new object[] { new (string, object)[] { ("action", "c2pa.created") } })))),
            Assertion("c2pa.soft-binding", SoftBinding(null, new byte[] { 1, 2, 3 }, "dGV4dA=="))),
        Superbox("xyzw", "vendor", Box("json", "{}"u8)),
        LargeBox("jumb", [.. Description(TypeUuid("c2um"), "urn:c2pa:5e7b01fc-4932-4bab-ab32-d4f12a8aa322"),
            .. Superbox("c2as", "c2pa.assertions", Assertion("c2pa.soft-binding__1", SoftBinding("com.example.wm.1", "d20="))),
            .. Superbox("c2cl", "c2pa.claim.v2", Box("cbor", Claim())),
            .. Superbox("c2cs", "c2pa.signature", Box("cbor", [0x40]))]));

    [Fact]
    public void TheSample_IsAValidStore_SoMutationsStartFromAcceptedInput()
    {
        var store = ManifestStore.Parse(Sample);

        Assert.Equal(2, store.Manifests.Count);
        Assert.Equal(3, store.Manifests.Sum(m => m.SoftBindings.Count));
    }

    [Property(MaxTest = 1000)]
    public void ArbitraryBytes_GiveAStoreOrTheTypedException(byte[] input) => Outcome(input);

    [Property(MaxTest = 1000)]
    public void ArbitraryContent_InAWellFramedStoreBox_GivesAStoreOrTheTypedException(byte[] content) =>
        // Frame random bytes as the store's children so the reader gets past the outer box and its description.
        Outcome(Box("jumb", [.. Description(TypeUuid("c2pa"), "c2pa"), .. content]));

    [Property(MaxTest = 500)]
    public bool EveryStrictPrefix_IsTruncated(PositiveInt cut) =>
        Outcome(Sample[..(cut.Get % Sample.Length)]) == ManifestStoreFormatError.Truncated;

    [Property(MaxTest = 200)]
    public bool AnythingAppended_IsTrailingBytes(NonEmptyArray<byte> tail) =>
        Outcome([.. Sample, .. tail.Get]) == ManifestStoreFormatError.TrailingBytes;

    [Property(MaxTest = 2000)]
    public void FlippedBytes_GiveAStoreOrTheTypedException(PositiveInt position, byte mask, PositiveInt count)
    {
        var mutated = (byte[])Sample.Clone();
        for (var i = 0; i < 1 + (count.Get % 4); i++)
        {
            mutated[(position.Get * (i + 1)) % mutated.Length] ^= mask == 0 ? (byte)1 : mask;
        }

        Outcome(mutated);
    }

    [Property(MaxTest = 2000)]
    public void HostileLengthFields_GiveAStoreOrTheTypedException(PositiveInt position, PositiveInt choice)
    {
        // Overwrite 4 (or 8) bytes anywhere, mostly on a box header, with the lengths that break naive readers.
        var hostile = HostileLengths(Sample.Length);
        var headers = BoxOffsets(Sample);
        var offset = choice.Get % 3 == 0 ? position.Get % (Sample.Length - 8) : headers[position.Get % headers.Count];
        var mutated = (byte[])Sample.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(mutated.AsSpan(offset), hostile[choice.Get % hostile.Count]);
        if (choice.Get % 5 == 0 && offset + 16 <= mutated.Length)
        {
            BinaryPrimitives.WriteUInt32BigEndian(mutated.AsSpan(offset), 1);
            BinaryPrimitives.WriteUInt64BigEndian(mutated.AsSpan(offset + 8), ((ulong)hostile[choice.Get % hostile.Count] << (choice.Get % 33)) | 1);
        }

        Outcome(mutated);
    }

    [Property(MaxTest = 1000)]
    public void SplicedBytes_GiveAStoreOrTheTypedException(PositiveInt from, PositiveInt length, PositiveInt to) =>
        Outcome(Splice(Sample, from.Get, length.Get, to.Get, maxRun: 64));

    [Property(MaxTest = 300)]
    public Property GeneratedStores_ReadBackTheirLabelsInOrder() =>
        Prop.ForAll(Gen.Choose(1, 8).ToArbitrary(), count =>
        {
            var labels = Enumerable.Range(0, count).Select(_ => $"urn:c2pa:{Guid.NewGuid()}").ToList();
            var store = ManifestStore.Parse(Store([.. labels.Select(label => Manifest(label))]));
            return store.Manifests.Select(m => m.Label).SequenceEqual(labels) && store.ActiveManifest.Label == labels[^1];
        });
}
