using System.ComponentModel.DataAnnotations;

namespace ProofStorage.Api.Security;

/// <summary>
/// Overload protection and shutdown. At most <c>MaxConcurrentRequests</c> requests run at once; up to
/// <c>QueueLimit</c> more wait at most <c>QueueTimeout</c>; the rest get <c>503</c> with <c>Retry-After</c> at
/// once, so under overload the service sheds load instead of timing out or buffering without bound.
/// <c>ShutdownTimeout</c> is how long SIGTERM waits for in-flight requests to finish.
/// <code>
/// "ProofStorage": { "Overload": { "MaxConcurrentRequests": 64, "QueueLimit": 4096, "QueueTimeout": "00:00:10",
///   "MaxConnections": 10000, "ShutdownTimeout": "00:00:30" } }
/// </code>
/// </summary>
public sealed class OverloadOptions
{
    public const string SectionName = "ProofStorage:Overload";

    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <remarks>
    /// Generous on purpose: a queued request has not had its body read, so it holds little memory, and 1000
    /// clients in front of a store that answers a few hundred requests/s must wait their turn, not fail. Lower it
    /// (and <see cref="QueueTimeout"/>) when callers would rather be told to retry than wait.
    /// </remarks>
    [Range(0, 1_000_000)]
    public int QueueLimit { get; set; } = 4096;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Kestrel's open-connection cap (beyond it new connections are closed at once); null = unlimited.</summary>
    [Range(1, 10_000_000)]
    public long? MaxConnections { get; set; } = 10_000;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
