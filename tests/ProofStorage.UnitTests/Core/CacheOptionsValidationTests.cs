using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProofStorage.Core;
using ProofStorage.Core.Options;

namespace ProofStorage.UnitTests.Core;

public sealed class CacheOptionsValidationTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        Assert.True(new CacheOptionsValidator().Validate(null, new CacheOptions()).Succeeded);
    }

    [Fact]
    public void ZeroNegativeDuration_TurnsNegativeLookupsOffAndIsValid()
    {
        Assert.True(new CacheOptionsValidator().Validate(null, new CacheOptions { NegativeDuration = TimeSpan.Zero, MemorySizeLimitBytes = 0 }).Succeeded);
    }

    [Theory]
    [InlineData("00:00:00", "MemoryDuration is 00:00:00: it must be longer than zero")]
    [InlineData("-00:00:01", "MemoryDuration is -00:00:01: it must be longer than zero")]
    public void MemoryDuration_NotPositive_IsRefusedWithTheSettingNamed(string duration, string expected)
    {
        var result = new CacheOptionsValidator().Validate(null, new CacheOptions { MemoryDuration = TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        Assert.Contains("ProofStorage:Cache:" + expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeDuration_BelowZero_IsRefusedWithWhatToUseInstead()
    {
        var result = new CacheOptionsValidator().Validate(null, new CacheOptions { NegativeDuration = TimeSpan.FromSeconds(-3) });

        Assert.True(result.Failed);
        Assert.Contains("ProofStorage:Cache:NegativeDuration is -00:00:03: use \"00:00:00\" to turn negative lookups off", result.FailureMessage,
            StringComparison.Ordinal);
    }

    [Fact]
    public void MemorySizeLimitBytes_BelowZero_IsRefused()
    {
        var result = new CacheOptionsValidator().Validate(null, new CacheOptions { MemorySizeLimitBytes = -1 });

        Assert.Contains("ProofStorage:Cache:MemorySizeLimitBytes is -1", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AddProofStorageCore_BoundSectionWithInvalidDurations_FailsValidationWithEveryProblem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ProofStorage:Cache:MemoryDuration"] = "00:00:00",
            ["ProofStorage:Cache:NegativeDuration"] = "-00:00:05",
        }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddProofStorageCore().BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<CacheOptions>>().Value);

        Assert.Equal(2, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("ProofStorage:Cache:MemoryDuration is 00:00:00", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("ProofStorage:Cache:NegativeDuration is -00:00:05", StringComparison.Ordinal));
    }
}
