using Microsoft.Extensions.Options;

namespace ProofStorage.Maintenance.Scheduling;

/// <summary>
/// The scheduled scrub of the service (off by default). One instance of all those sharing the store scrubs at a time: the
/// one holding the lease object <c>leases/scrub</c> in the store.
/// <code>
/// "ProofStorage": { "Scrub": { "Enabled": true, "Interval": "06:00:00", "DeepEvery": 28, "ObjectsPerSecond": 50,
///                              "BytesPerSecond": 4194304, "Parallelism": 4, "TombstoneRetention": "30.00:00:00", "LeaseDuration": "00:01:00" } }
/// </code>
/// </summary>
public sealed class ScrubOptions
{
    public const string SectionName = "ProofStorage:Scrub";

    /// <summary>Run scrub passes in this service.</summary>
    public bool Enabled { get; set; }

    /// <summary>Time from the end of one pass to the start of the next.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Every Nth pass is a deep pass (reads every byte); the others are listing passes. 1 = every pass deep, 0 = never.</summary>
    public int DeepEvery { get; set; } = 28;

    /// <summary>Keys examined per second (0 = unlimited).</summary>
    public double ObjectsPerSecond { get; set; } = 50;

    /// <summary>Bytes read per second (0 = unlimited).</summary>
    public long BytesPerSecond { get; set; } = 4 * 1024 * 1024;

    /// <summary>Keys checked at once.</summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>Keys per batch (progress is published after each).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How long a tombstone is kept; longer than the longest outage of a provider plus one pass.</summary>
    public TimeSpan TombstoneRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long the lease lasts unless renewed (renewed every third of it while held).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>The rules of <see cref="ScrubOptions"/>, with messages naming the setting.</summary>
internal sealed class ScrubOptionsValidator : IValidateOptions<ScrubOptions>
{
    public ValidateOptionsResult Validate(string? name, ScrubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string p = ScrubOptions.SectionName;
        if (options.Interval <= TimeSpan.Zero)
        {
            failures.Add($"{p}:Interval must be positive (e.g. 06:00:00).");
        }

        if (options.DeepEvery < 0)
        {
            failures.Add($"{p}:DeepEvery must be 0 (never deep), 1 (every pass deep) or more.");
        }

        if (options.ObjectsPerSecond < 0 || options.BytesPerSecond < 0)
        {
            failures.Add($"{p}:ObjectsPerSecond and BytesPerSecond must not be negative (0 = unlimited).");
        }

        if (options.Parallelism is < 1 or > 64 || options.BatchSize is < 1 or > 10_000)
        {
            failures.Add($"{p}:Parallelism must be 1-64 and BatchSize 1-10000.");
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{p}:LeaseDuration must be at least 00:00:01 (it is renewed every third of it).");
        }

        if (options.TombstoneRetention < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{p}:TombstoneRetention must be at least 00:01:00; keep it longer than the longest outage of a provider plus one pass.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
