using ProofStorage.Core.Access;

namespace ProofStorage.UnitTests.Access;

public sealed class AccessTrackingOptionsTests
{
    [Fact]
    public void Defaults_AreValid() =>
        Assert.True(new AccessTrackingOptionsValidator().Validate(null, new AccessTrackingOptions { Enabled = true }).Succeeded);

    [Theory]
    [InlineData("00:00:00", 20_000, 10, "FlushInterval")]
    [InlineData("02:00:00", 20_000, 10, "FlushInterval")]
    [InlineData("00:00:10", 15, 10, "MaxTrackedProofs")]
    [InlineData("00:00:10", 20_000, 0, "TopCount")]
    [InlineData("00:00:10", 20_000, 1001, "TopCount")]
    public void OutOfRange_IsRefusedNamingTheSetting(string interval, int maxTracked, int topCount, string setting)
    {
        var result = new AccessTrackingOptionsValidator().Validate(null, new AccessTrackingOptions
        {
            FlushInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture),
            MaxTrackedProofs = maxTracked,
            TopCount = topCount,
        });

        Assert.True(result.Failed);
        Assert.Contains("ProofStorage:AccessTracking:" + setting, result.FailureMessage, StringComparison.Ordinal);
    }
}
