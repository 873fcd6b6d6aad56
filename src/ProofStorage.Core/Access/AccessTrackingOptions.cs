using Microsoft.Extensions.Options;

namespace ProofStorage.Core.Access;

/// <summary>
/// Per-proof access tracking: how often each proof was read and stored again (a duplicate), and when last. Off by
/// default. Checked at start-up by <see cref="AccessTrackingOptionsValidator"/>.
/// <code>
/// "ProofStorage": { "AccessTracking": { "Enabled": true, "FlushInterval": "00:00:10", "MaxTrackedProofs": 20000, "TopCount": 10 } }
/// </code>
/// Counts are kept in memory and written in batches every <see cref="FlushInterval"/>: to Redis when
/// <c>ProofStorage:Redis</c> is enabled, otherwise to the storage provider (one small object per proof touched in
/// the interval). See docs/operations.md (access tracking).
/// </summary>
public sealed class AccessTrackingOptions
{
    public const string SectionName = "ProofStorage:AccessTracking";

    /// <summary>Counts reads and duplicate stores per proof. With it off nothing is counted and nothing is written.</summary>
    public bool Enabled { get; set; }

    /// <summary>How often the counts gathered in memory are written out (0.1 s to 1 hour). Each proof touched in an interval costs one write.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most proofs counted in memory between two flushes (16 to 10,000,000). When that many distinct proofs were touched,
    /// the next flush starts at once; until it has taken the counts, touches of further proofs are counted only in
    /// the totals (<c>untracked</c> in <c>/v1/stats</c>). Memory: about 200 bytes per proof, twice this while a flush runs.
    /// </summary>
    public int MaxTrackedProofs { get; set; } = 20_000;

    /// <summary>How many proofs the most-read and most-duplicated lists of <c>/v1/stats</c> hold (1 to 1,000).</summary>
    public int TopCount { get; set; } = 10;
}

/// <summary>The rules of <see cref="AccessTrackingOptions"/>, with messages an operator can act on.</summary>
internal sealed class AccessTrackingOptionsValidator : IValidateOptions<AccessTrackingOptions>
{
    internal static readonly TimeSpan MinFlushInterval = TimeSpan.FromMilliseconds(100);
    internal static readonly TimeSpan MaxFlushInterval = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, AccessTrackingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.FlushInterval < MinFlushInterval || options.FlushInterval > MaxFlushInterval)
        {
            failures.Add($"{AccessTrackingOptions.SectionName}:FlushInterval is {options.FlushInterval}: give 00:00:00.100 to 01:00:00 (e.g. \"00:00:10\"). "
                + "Each proof read in an interval costs one write to Redis or the storage provider, so a longer interval writes less.");
        }

        if (options.MaxTrackedProofs is < 16 or > 10_000_000)
        {
            failures.Add($"{AccessTrackingOptions.SectionName}:MaxTrackedProofs is {options.MaxTrackedProofs}: give 16 to 10000000 "
                + "(about 200 bytes of memory each, e.g. 20000).");
        }

        if (options.TopCount is < 1 or > 1000)
        {
            failures.Add($"{AccessTrackingOptions.SectionName}:TopCount is {options.TopCount}: give 1 to 1000 (e.g. 10).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
