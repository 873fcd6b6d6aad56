using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using ProofStorage.Providers.S3;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>How S3/R2 options are validated and become SDK settings (no I/O).</summary>
public sealed class S3OptionsTests
{
    [Fact]
    public void R2WithOnlyAnAccountId_UsesTheAccountEndpointAutoRegionAndUnsignedPayloadsOverHttps()
    {
        var (config, settings) = S3StorageProviderFactory.Resolve(new S3StorageOptions { Type = "R2", AccountId = "abc123", Bucket = "proofs" });

        Assert.Equal("https://abc123.r2.cloudflarestorage.com/", config.ServiceURL);
        Assert.Equal("auto", config.AuthenticationRegion);
        Assert.True(config.ForcePathStyle);
        Assert.Equal(RequestChecksumCalculation.WHEN_REQUIRED, config.RequestChecksumCalculation);
        Assert.Equal(ResponseChecksumValidation.WHEN_REQUIRED, config.ResponseChecksumValidation);
        Assert.True(settings.DisablePayloadSigning);
    }

    [Fact]
    public void R2OverPlainHttp_KeepsPayloadSigningOn()
    {
        var (_, settings) = S3StorageProviderFactory.Resolve(new S3StorageOptions { Type = "R2", ServiceUrl = "http://127.0.0.1:9000", Bucket = "proofs" });

        Assert.False(settings.DisablePayloadSigning);
    }

    [Fact]
    public void S3OnAws_UsesTheRegionEndpointVirtualHostedStyleAndSignedPayloads()
    {
        var (config, settings) = S3StorageProviderFactory.Resolve(
            new S3StorageOptions { Type = "S3", Bucket = "proofs", Region = "eu-west-1", MaxErrorRetry = 5, RetryMode = "Adaptive", Timeout = TimeSpan.FromSeconds(3) });

        Assert.Equal("eu-west-1", config.RegionEndpoint!.SystemName);
        Assert.False(config.ForcePathStyle);
        Assert.Equal(5, config.MaxErrorRetry);
        Assert.Equal(RequestRetryMode.Adaptive, config.RetryMode);
        Assert.Equal(TimeSpan.FromSeconds(3), config.Timeout);
        Assert.False(settings.DisablePayloadSigning);
    }

    [Fact]
    public void InvalidOptions_FailWithMessagesNamingTheSetting()
    {
        var result = Validate("Secondary", new() { ["Type"] = "R2", ["AccessKeyId"] = "only-the-id", ["RetryMode"] = "Sometimes", ["KeyPrefix"] = "/bad" });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("ProofStorage:Storage:Secondary: an R2 provider needs AccountId", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Bucket is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("SecretAccessKey", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("RetryMode", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("KeyPrefix", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("only-the-id", StringComparison.Ordinal));
    }

    [Fact]
    public void MisspeltKey_StopsStartUpInsteadOfFallingBackToTheDefaultCredentials()
    {
        var result = Validate("Primary", new() { ["Type"] = "S3", ["Bucket"] = "proofs", ["AccessKey"] = "id", ["SecretKey"] = "hunter2" });

        Assert.True(result.Failed);
        Assert.Contains("unknown setting(s) AccessKey, SecretKey", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void SectionOfAnotherType_IsNotTheS3ValidatorsToJudge()
    {
        var result = Validate("Primary", new() { ["Type"] = "FileSystem", ["Path"] = "/srv/proofs" });

        Assert.True(result.Skipped);
    }

    /// <summary>Binds <paramref name="section"/> as the section of <paramref name="slot"/> and runs the validator on it.</summary>
    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(string slot, Dictionary<string, string?> section)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(section.ToDictionary(e => $"ProofStorage:Storage:{slot}:{e.Key}", e => e.Value))
            .Build();
        var options = new S3StorageOptions();
        configuration.GetSection($"ProofStorage:Storage:{slot}").Bind(options);
        return new S3StorageOptionsValidator(configuration).Validate(slot, options);
    }
}
