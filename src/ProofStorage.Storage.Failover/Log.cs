using Microsoft.Extensions.Logging;

namespace ProofStorage.Storage.Failover;

/// <summary>Every log event of the failover pair, with stable ids in 7000–7999. Never logs proof payloads.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Warning, Message = "Provider {Provider} failed during {Operation} ({Error}): using the other copy")]
    public static partial void FailingOver(ILogger logger, string provider, string operation, string error);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Repaired {ObjectKey} on {Provider} from the other copy")]
    public static partial void Repaired(ILogger logger, string objectKey, string provider);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Replication to {Provider} of {ObjectKey} deferred to the log ({Error})")]
    public static partial void ReplicationDeferred(ILogger logger, string objectKey, string provider, string error);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Replication log: applied {Applied} entries, {Pending} pending")]
    public static partial void ReplicationApplied(ILogger logger, int applied, int pending);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "Provider {Provider} skipped for {Operation}: its circuit is open")]
    public static partial void SkippedOpenCircuit(ILogger logger, string provider, string operation);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Replication round of {Provider} failed; retrying at the next interval")]
    public static partial void ReplicationRoundFailed(ILogger logger, Exception exception, string provider);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Information, Message = "Tombstone of {ObjectKey} not written to {Provider} ({Error}): the other member's covers the delete")]
    public static partial void TombstoneDeferred(ILogger logger, string objectKey, string provider, string error);
}
