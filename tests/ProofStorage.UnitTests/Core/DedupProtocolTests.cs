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
    [InlineData("0F3A6A8A4F6E0F1A8E0F8F6E1F0B1A2C3D4E5F60718293A4B5C6D7E8F901234G")]
    [InlineData("0f3a6a8a4f6e0f1a8e0f8f6e1f0b1a2c3d4e5f60718293a4b5c6d7e8f901234 ")]
    [InlineData("0f3a6a8a4f6e0f1a8e0f8f6e1f0b1a2c3d4e5f60718293a4b5c6d7e8f901234\u0660")]
    public void ImageHash_NotSixtyFourHex_IsRejected(string text) => Assert.False(ImageHash.TryParse(text, out _));

    [Theory]
    [InlineData("0f3a6a8a4f6e0f1a8e0f8f6e1f0b1a2c3d4e5f60718293a4b5c6d7e8f9012345")]
    [InlineData("0F3A6A8A4F6E0F1A8E0F8F6E1F0B1A2C3D4E5F60718293A4B5C6D7E8F9012345")]
    [InlineData("0f3A6a8A4f6E0f1A8e0F8f6E1f0B1a2C3d4E5f60718293a4B5c6D7e8F9012345")]
    public void ImageHash_AnyCase_IsKeptInLowerCase(string text)
    {
        Assert.True(ImageHash.TryParse(text, out var hash));
        Assert.Equal("0f3a6a8a4f6e0f1a8e0f8f6e1f0b1a2c3d4e5f60718293a4b5c6d7e8f9012345", hash.Value);
    }

    [Theory]
    [InlineData("../etc", false)]
    [InlineData("a/b", false)]
    [InlineData("a.b", false)]
    [InlineData("", false)]
    [InlineData("legacy_ID-42", true)]
    public void ProofIds_IsValid_AllowsOnlyUrlSafeSegments(string id, bool valid) => Assert.Equal(valid, ProofIds.IsValid(id));
}
