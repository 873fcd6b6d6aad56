using Microsoft.Extensions.Logging;

namespace ProofStorage.Caching.Redis;

/// <summary>Log events of the Redis level, with stable ids. Never logs the configuration string (it may hold a password).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Redis L2 enabled: connecting in the background to {Endpoints} (key prefix {KeyPrefix})")]
    public static partial void Connecting(ILogger logger, string endpoints, string keyPrefix);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Redis connection failed ({FailureType}) to {Endpoint}: serving from L1 and storage until it returns")]
    public static partial void ConnectionFailed(ILogger logger, string failureType, string endpoint);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Redis connection restored to {Endpoint}")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Sampling Redis status failed")]
    public static partial void StatusFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Access counts of {ProofId} not added in Redis (not retried)")]
    public static partial void AccessCountsNotAdded(ILogger logger, Exception? exception, string proofId);
}
