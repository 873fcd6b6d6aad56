using ProofStorage.Core.Codec;
using ProofStorage.Core.Storage;
using ProofStorage.Maintenance.Walking;
using ProofStorage.Testing;

namespace ProofStorage.UnitTests.Maintenance;

public sealed class StoreWalkPartsTests
{
    [Fact]
    public async Task SortedMerge_TwoSortedListings_YieldsEachKeyOnceInOrder_WithWhatEachListingSaid()
    {
        var merged = await SortedMerge.MergeAsync([Listing("a", "c", "d"), Listing("b", "c", "e")], CancellationToken.None).ToListAsync();

        Assert.Equal(["a", "b", "c", "d", "e"], merged.Select(k => k.Key));
        Assert.Equal([true, false, true, true, false], merged.Select(k => k.Entries[0] is not null));
        Assert.Equal([false, true, true, false, true], merged.Select(k => k.Entries[1] is not null));
    }

    [Fact]
    public async Task SortedMerge_AListingOutOfOrder_Throws_RatherThanMissingKeys()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await SortedMerge.MergeAsync([Listing("a", "c", "b"), Listing("a")], CancellationToken.None).ToListAsync());
    }

    [Fact]
    public void Tombstones_KeyNamesTheIncarnation_AndParsesBack()
    {
        var sha = Tombstones.IncarnationOf("some envelope"u8);
        var key = Tombstones.KeyFor("aliases/legacy-42_x", sha);

        Assert.Equal($"tombstones/{sha}.aliases.legacy-42_x", key);
        Assert.True(Tombstones.TryParse(key, out var objectKey, out var parsed));
        Assert.Equal(("aliases/legacy-42_x", sha), (objectKey, parsed));
        Assert.False(Tombstones.AppliesTo("tombstones/x"));
        Assert.False(Tombstones.AppliesTo("proofs/a/b"));
        Assert.False(Tombstones.AppliesTo("leases/scrub.x"));
        Assert.True(Tombstones.AppliesTo("proofs/hLZSQuzVHRYwK0KbuZAj6w"));
    }

    [Fact]
    public void TryReadKeyId_FromTheFirstBytesOfAnEnvelope_NamesItsKey_AndRefusesOtherBytes()
    {
        var envelope = new ProofEnvelopeCodec(TestKeys.Ring("key-2024_b")).Seal("{}"u8, "proofs/x").Envelope;

        Assert.True(ProofEnvelopeCodec.TryReadKeyId(envelope.AsSpan(0, ProofEnvelopeCodec.KeyIdHeaderLength), out var keyId));
        Assert.Equal("key-2024_b", keyId);
        Assert.False(ProofEnvelopeCodec.TryReadKeyId("{\"proofId\":1}"u8, out _));
        Assert.False(ProofEnvelopeCodec.TryReadKeyId(envelope.AsSpan(0, 6), out _));
    }

    [Fact]
    public void ListingEntry_Md5_OnlyForSinglePartETags()
    {
        Assert.Equal("0123456789abcdef0123456789abcdef", new ObjectEntry("k", 1, "\"0123456789ABCDEF0123456789ABCDEF\"", default).ContentMd5);
        Assert.Null(new ObjectEntry("k", 1, "\"0123456789abcdef0123456789abcdef-2\"", default).ContentMd5);
        Assert.Null(new ObjectEntry("k", 1, null, default).ContentMd5);
    }

    private static async IAsyncEnumerable<ObjectEntry> Listing(params string[] keys)
    {
        foreach (var key in keys)
        {
            await Task.Yield();
            yield return new ObjectEntry(key, 1, null, DateTimeOffset.UnixEpoch);
        }
    }
}
