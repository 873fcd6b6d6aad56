using System.Buffers.Binary;
using FsCheck;
using FsCheck.Xunit;
using ProofStorage.Core.C2pa;
using ProofStorage.Testing;
using static ProofStorage.Testing.ManifestStoreFuzz;

namespace ProofStorage.IntegrationTests.C2pa;

/// <summary>
/// The manifest store reader fuzzed with what c2pa-rs really writes (signed at test time by the toolchain): every
/// truncation, every single-byte flip, hostile lengths at every real box header, and random splices give a store or the
/// one typed exception (<see cref="ManifestStoreFuzz.Outcome"/> fails on anything else, and checks accepted stores).
/// Inputs are the real stores (a few KB), so each case is quick by construction.
/// </summary>
[Collection(C2paToolchainGroup.Name)]
public sealed class ManifestStoreRealDataFuzzTests(C2paToolchain toolchain)
{
    private byte[] OneManifest => toolchain.OneManifest.ReadStore();

    private byte[] WithParent => toolchain.WithParent.ReadStore();

    [Fact]
    public void EveryTruncation_OfARealStore_IsRefusedAsTruncated()
    {
        foreach (var store in new[] { OneManifest, WithParent })
        {
            for (var length = 0; length < store.Length; length++)
            {
                Assert.True(Outcome(store[..length]) == ManifestStoreFormatError.Truncated, $"prefix of {length} of {store.Length} bytes");
            }
        }
    }

    [Fact]
    public void EverySingleByteFlip_OfARealStore_GivesAStoreOrTheTypedException()
    {
        var refused = new Dictionary<ManifestStoreFormatError, int>();
        foreach (var store in new[] { OneManifest, WithParent })
        {
            foreach (var mask in new byte[] { 0x01, 0x80, 0xFF })
            {
                for (var at = 0; at < store.Length; at++)
                {
                    var mutated = (byte[])store.Clone();
                    mutated[at] ^= mask;
                    if (Outcome(mutated) is { } error)
                    {
                        refused[error] = refused.GetValueOrDefault(error) + 1;
                    }
                }
            }
        }

        // Flips in box headers and labels are caught (most flips land in CBOR or signature bytes, which a box reader cannot judge).
        Assert.Contains(ManifestStoreFormatError.BadBoxLength, refused.Keys);
        Assert.Contains(ManifestStoreFormatError.InvalidManifestLabel, refused.Keys);
    }

    [Fact]
    public void HostileLengths_AtEveryRealBoxHeader_GiveAStoreOrTheTypedException()
    {
        foreach (var store in new[] { OneManifest, WithParent })
        {
            var headers = BoxOffsets(store);
            Assert.True(headers.Count > 10, $"only {headers.Count} boxes found");
            var refused = 0;
            var cases = 0;
            foreach (var offset in headers)
            {
                var original = BinaryPrimitives.ReadUInt32BigEndian(store.AsSpan(offset));
                foreach (var length in HostileLengths(store.Length).Where(l => l != original))
                {
                    var mutated = (byte[])store.Clone();
                    BinaryPrimitives.WriteUInt32BigEndian(mutated.AsSpan(offset), length);
                    var outcome = Outcome(mutated);
                    // Any other length of the store box itself can only be wrong.
                    Assert.True(offset != 0 || outcome is not null, $"store box length {length} accepted");
                    refused += outcome is null ? 0 : 1;
                    cases++;
                }

                foreach (var extended in new ulong[] { 0, 15, 16, (ulong)store.Length, ulong.MaxValue, 1UL << 63 })
                {
                    var mutated = (byte[])store.Clone();
                    BinaryPrimitives.WriteUInt32BigEndian(mutated.AsSpan(offset), 1);
                    BinaryPrimitives.WriteUInt64BigEndian(mutated.AsSpan(offset + 8), extended);
                    refused += Outcome(mutated) is null ? 0 : 1;
                    cases++;
                }
            }

            // A box whose length changes leaves the rest of its superbox misframed; that is almost always caught.
            Assert.True(refused > cases * 9 / 10, $"only {refused} of {cases} hostile lengths refused");
        }
    }

    [Property(MaxTest = 500)]
    public void RandomSplices_OfARealStore_GiveAStoreOrTheTypedException(PositiveInt from, PositiveInt length, PositiveInt to, bool withParent) =>
        Outcome(Splice(withParent ? WithParent : OneManifest, from.Get, length.Get, to.Get, maxRun: 256));

    [Property(MaxTest = 500)]
    public void RandomOverwrites_OfARealStore_GiveAStoreOrTheTypedException(PositiveInt at, NonEmptyArray<byte> bytes, bool withParent)
    {
        var store = withParent ? WithParent : OneManifest;
        var offset = at.Get % store.Length;
        var patch = bytes.Get.AsSpan(0, Math.Min(bytes.Get.Length, store.Length - offset));
        var mutated = (byte[])store.Clone();
        patch.CopyTo(mutated.AsSpan(offset));
        Outcome(mutated);
    }
}
