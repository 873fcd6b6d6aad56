using System.ComponentModel.DataAnnotations;

namespace ProofStorage.Storage.Failover;

/// <summary>
/// Tuning of a primary/secondary pair (used only when <c>ProofStorage:Storage:Secondary</c> is configured).
/// <code>
/// "ProofStorage": { "Storage": { "Failover": { "BreakDuration": "00:00:15", "FailureRatio": 0.5, "MinimumThroughput": 4,
///                                              "SamplingDuration": "00:00:30", "ReplicationInterval": "00:00:05" } } }
/// </code>
/// </summary>
public sealed class FailoverOptions
{
    public const string SectionName = "ProofStorage:Storage:Failover";

    /// <summary>How long an open circuit skips a provider before one trial call is let through (Polly minimum 0.5 s).</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Share of failed calls in the sampling window that opens the circuit.</summary>
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the window before the ratio counts.</summary>
    [Range(2, 10_000)]
    public int MinimumThroughput { get; set; } = 4;

    /// <summary>The breaker's sampling window.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the background service retries pending replication entries.</summary>
    public TimeSpan ReplicationInterval { get; set; } = TimeSpan.FromSeconds(5);
}
