using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Testing;

namespace ProofStorage.UnitTests.Core;

public sealed class DedupProtocolTests
{
    [Fact]
    public void ProofIdFor_SameImage_GivesTheSameUrlSafeId()
    {
        var lower = ImageHash.Parse(TestKeys.ImageHash("x"));
        var upper = ImageHash.Parse(TestKeys.ImageHash("x").ToUpperInvariant());

        var id = DedupProtocol.ProofIdFor(lower);

        Assert.Equal(id, DedupProtocol.ProofIdFor(upper));
        Assert.True(ProofIds.IsNativeShape(id));
        Assert.Matches("^[A-Za-z0-9_-]{22}$", id);
    }

    [Fact]
    public void ProofIdFor_DifferentImages_GiveDifferentIds()
    {
        var ids = Enumerable.Range(0, 10_000).Select(i => DedupProtocol.ProofIdFor(ImageHash.Parse(TestKeys.ImageHash(i.ToString(System.Globalization.CultureInfo.InvariantCulture))))).ToHashSet();

        Assert.Equal(10_000, ids.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("zz0f3a6a8a4f6e0f1a8e0f8f6e1f0b1a2c3d4e5f60718293a4b5c6d7e8f90123")]
    [InlineData("0f3a6a8a4f6e0f1a8e0f8f6e1f0b1a2c3d4e5f60718293a4b5c6d7e8f901234")]
    public void ImageHash_NotSixtyFourHex_IsRejected(string text) => Assert.False(ImageHash.TryParse(text, out _));

    [Theory]
    [InlineData("../etc", false)]
    [InlineData("a/b", false)]
    [InlineData("a.b", false)]
    [InlineData("", false)]
    [InlineData("legacy_ID-42", true)]
    public void ProofIds_IsValid_AllowsOnlyUrlSafeSegments(string id, bool valid) => Assert.Equal(valid, ProofIds.IsValid(id));
}
