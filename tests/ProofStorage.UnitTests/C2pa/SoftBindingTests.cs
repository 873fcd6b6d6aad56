using ProofStorage.Core.C2pa;

namespace ProofStorage.UnitTests.C2pa;

public sealed class SoftBindingTests
{
    [Fact]
    public void TryCreate_AlgOnTheList_AndBase64Value_IsABindingWithTheCanonicalValue()
    {
        Assert.True(SoftBinding.TryCreate("com.adobe.trustmark.Q", "AAEC+/8=", out var binding, out var error));

        Assert.Equal(SoftBindingError.None, error);
        Assert.Equal("com.adobe.trustmark.Q", binding.Alg);
        Assert.Equal("AAEC+/8=", binding.Value);
        Assert.Equal(new byte[] { 0, 1, 2, 0xFB, 0xFF }, binding.ValueBytes());
    }

    [Theory]
    [InlineData("com.example.watermark.1")]
    [InlineData("com.adobe.trustmark.q")] // names are case-sensitive: Q and q are not the same algorithm
    [InlineData("")]
    [InlineData(null)]
    public void TryCreate_AlgNotOnTheList_IsUnknownAlgorithm(string? alg)
    {
        Assert.False(SoftBinding.TryCreate(alg, "AAECAw==", out _, out var error));

        Assert.Equal(SoftBindingError.UnknownAlgorithm, error);
    }

    [Theory]
    [InlineData("AAEC /8=")] // '+' read from an unencoded query string as a space
    [InlineData("AAEC-_8=")] // base64url
    [InlineData("AAEC+/8")] // missing padding
    [InlineData("AAECAw==\n")]
    [InlineData("AA==AA==")]
    [InlineData("====")]
    [InlineData("")]
    [InlineData(null)]
    public void TryCreate_ValueNotStrictBase64_IsMalformed(string? value)
    {
        Assert.False(SoftBinding.TryCreate("com.digimarc.validate.1", value, out _, out var error));

        Assert.Equal(SoftBindingError.MalformedValue, error);
    }

    [Fact]
    public void TryCreate_ValueOverTheLimit_IsMalformed_AndAtTheLimitIsNot()
    {
        Assert.True(SoftBinding.TryCreate("io.iscc.v0", Convert.ToBase64String(new byte[SoftBinding.MaxValueBytes]), out _, out _));
        Assert.False(SoftBinding.TryCreate("io.iscc.v0", Convert.ToBase64String(new byte[SoftBinding.MaxValueBytes + 1]), out _, out var error));
        Assert.Equal(SoftBindingError.MalformedValue, error);
    }

    [Fact]
    public void Bindings_WithTheSameBytes_AreEqual_WhateverTheUnusedBitsOfTheLastCharacter()
    {
        // "AAB=" and "AAA=" decode to the same two bytes: one binding, one index object, one canonical spelling.
        Assert.True(SoftBinding.TryCreate("com.digimarc.validate.1", "AAB=", out var loose, out _));
        Assert.True(SoftBinding.TryCreate("com.digimarc.validate.1", "AAA=", out var canonical, out _));

        Assert.Equal(canonical, loose);
        Assert.Equal("AAA=", loose.Value);
        Assert.NotEqual(canonical, SoftBinding.TryCreate("com.digimarc.validate.1", "AAE=", out var other, out _) ? other : null);
    }

    [Fact]
    public void TheAlgorithmList_HasEveryNameOnce_WithTheListsTypes()
    {
        Assert.Equal(32, SoftBindingAlgorithms.All.Count);
        Assert.Equal(SoftBindingAlgorithms.All.Count, SoftBindingAlgorithms.All.Select(a => a.Alg).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Enumerable.Range(1, 32), SoftBindingAlgorithms.All.Select(a => a.Identifier));
        Assert.Equal(["io.iscc.v0", "com.adobe.icn.dense", "com.digicaps.fingerprint.1"],
            SoftBindingAlgorithms.All.Where(a => a.Type == SoftBindingAlgorithmType.Fingerprint).Select(a => a.Alg));
    }
}
