using Microsoft.Extensions.Logging;

namespace ProofStorage.Maintenance;

/// <summary>Log events of the scheduled scrub, with stable ids in 8000–8999 (docs/operations.md#log-events). Never logs proof data or keys' bytes.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 8000, Level = LogLevel.Information, Message = "Scrub pass {Pass} ({Depth}) started on {Store}")]
    public static partial void PassStarted(ILogger logger, long pass, string depth, string store);

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information,
        Message = "Scrub pass {Pass} ({Depth}) finished in {Seconds:0.0} s: {Keys} keys, {ObjectsRead} objects read, {Repaired} repaired, {Unrecoverable} unrecoverable, {Deferred} deferred")]
    public static partial void PassCompleted(ILogger logger, long pass, string depth, double seconds, long keys, long objectsRead, long repaired, long unrecoverable,
        long deferred);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Error, Message = "Scrub: {ObjectKey} is unrecoverable: {Reason}")]
    public static partial void Unrecoverable(ILogger logger, string objectKey, string reason);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "Scrub: {ObjectKey} {Finding}: {Detail}")]
    public static partial void Finding(ILogger logger, string objectKey, string finding, string detail);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Information, Message = "Scrub lease {LeaseKey} taken by {Holder} until {ExpiresAt:O}")]
    public static partial void LeaseAcquired(ILogger logger, string leaseKey, string holder, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Warning, Message = "Scrub lease {LeaseKey} lost by {Holder}: stopping the pass")]
    public static partial void LeaseLost(ILogger logger, string leaseKey, string holder);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Warning, Message = "Scrub pass failed; retrying at the next interval")]
    public static partial void PassFailed(ILogger logger, Exception exception);
}
