using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ProofStorage.Providers.S3;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>How S3/R2 options become SDK settings (no I/O).</summary>
public sealed class S3OptionsTests
{
    [Fact]
    public void R2WithOnlyAnAccountId_UsesTheAccountEndpointAutoRegionAndUnsignedPayloadsOverHttps()
    {
        var (config, settings) = S3StorageProviderFactory.Resolve("R2", new S3StorageOptions { AccountId = "abc123", Bucket = "proofs" }, "Primary");

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
        var (_, settings) = S3StorageProviderFactory.Resolve("R2", new S3StorageOptions { ServiceUrl = "http://127.0.0.1:9000", Bucket = "proofs" }, "Primary");

        Assert.False(settings.DisablePayloadSigning);
    }

    [Fact]
    public void S3OnAws_UsesTheRegionEndpointVirtualHostedStyleAndSignedPayloads()
    {
        var (config, settings) = S3StorageProviderFactory.Resolve("S3",
            new S3StorageOptions { Bucket = "proofs", Region = "eu-west-1", MaxErrorRetry = 5, RetryMode = "Adaptive", Timeout = TimeSpan.FromSeconds(3) }, "Primary");

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
        var error = Assert.Throws<OptionsValidationException>(() => S3StorageProviderFactory.Resolve("R2",
            new S3StorageOptions { AccessKeyId = "only-the-id", RetryMode = "Sometimes", KeyPrefix = "/bad" }, "ProofStorage:Storage:Secondary"));

        Assert.Contains(error.Failures, f => f.Contains("AccountId", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Bucket is required", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("SecretAccessKey", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RetryMode", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("KeyPrefix", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Failures, f => f.Contains("only-the-id", StringComparison.Ordinal));
    }

    [Fact]
    public void MisspeltKey_StopsStartUpInsteadOfFallingBackToTheDefaultCredentials()
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Primary:Type"] = "S3", ["Primary:Bucket"] = "proofs", ["Primary:AccessKey"] = "id", ["Primary:SecretKey"] = "hunter2",
        }).Build().GetSection("Primary");

        var error = Assert.Throws<OptionsValidationException>(() => S3StorageProviderFactory.RejectUnknownKeys(section));

        Assert.Contains("AccessKey, SecretKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }
}
