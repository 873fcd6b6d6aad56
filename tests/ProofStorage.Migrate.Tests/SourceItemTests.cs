using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Migrate.Sources;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests;

public sealed class SourceItemTests
{
    [Fact]
    public void GroupKey_AnAliasAndItsProof_FallInOneGroup_SoTheAliasIsVerifiedAfterItsProofIsWritten()
    {
        var image = ImageHash.Parse(TestKeys.ImageHash("one image"));
        var proofId = DedupProtocol.ProofIdFor(image);
        var proof = new SourceItem(ProviderSource.ProofNamePrefix + proofId, null, image, null, "{}"u8.ToArray(), null, 2);
        var alias = new SourceItem(ProviderSource.AliasNamePrefix + "legacy-1", "legacy-1", default, null, ReadOnlyMemory<byte>.Empty, null, 0, proofId);

        Assert.Equal(proof.GroupKey, alias.GroupKey);
        Assert.True(string.CompareOrdinal(proof.Name, alias.Name) < 0);
    }

    [Fact]
    public void GroupKey_TwoLegacyRecordsOfOneImage_FallInOneGroup()
    {
        var image = ImageHash.Parse(TestKeys.ImageHash("one image"));
        var first = new SourceItem("a.json", "a", image, null, "1"u8.ToArray(), null, 1);
        var second = new SourceItem("b.json", "b", image, null, "2"u8.ToArray(), null, 1);
        var other = new SourceItem("c.json", "c", ImageHash.Parse(TestKeys.ImageHash("another")), null, "3"u8.ToArray(), null, 1);

        Assert.Equal(first.GroupKey, second.GroupKey);
        Assert.NotEqual(first.GroupKey, other.GroupKey);
    }
}
