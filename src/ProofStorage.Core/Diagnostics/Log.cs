using Microsoft.Extensions.Logging;

namespace ProofStorage.Core.Diagnostics;

/// <summary>Every log event of the Core, with stable ids. Never logs proof payloads or key material.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning,
        Message = "No encryption key configured: using the development key {KeyId} kept in {Folder}. Configure ProofStorage:Encryption outside Development.")]
    public static partial void DevelopmentKeyInUse(ILogger logger, string keyId, string folder);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Stored proof {ProofId} ({StoredBytes} bytes) on {Provider}")]
    public static partial void ProofStored(ILogger logger, string proofId, long storedBytes, string provider);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Proof {ProofId} already exists: deduplicated")]
    public static partial void ProofDeduplicated(ILogger logger, string proofId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Deleted proof {ProofId}")]
    public static partial void ProofDeleted(ILogger logger, string proofId);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Integrity check failed for {ObjectKey} on {Provider}: {Kind}")]
    public static partial void IntegrityFailure(ILogger logger, string objectKey, string provider, IntegrityFailureKind kind);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning,
        Message = "Served {ObjectKey} from the {Role} copy: the copy read first failed its integrity check (the scrub repairs it)")]
    public static partial void ServedOtherCopy(ILogger logger, string objectKey, string role);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Proof {ProofId} vanished while deduplicating (deleted concurrently); retrying the store")]
    public static partial void DedupTargetVanished(ILogger logger, string proofId);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning,
        Message = "Deleted proof {ProofId} but not all of its C2PA index objects; lookups skip them, the deep scrub reports them")]
    public static partial void IndexCleanupFailed(ILogger logger, Exception exception, string proofId);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "C2PA lookup skipped proof {ProofId}: it failed verification ({Kind})")]
    public static partial void LookupCandidateSkipped(ILogger logger, string proofId, IntegrityFailureKind kind);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Distributed cache level {Level} is {State}")]
    public static partial void DistributedLevelAvailability(ILogger logger, string level, string state);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "The distributed cache returned another proof's entry for {ProofId}; ignored and reloaded from storage")]
    public static partial void CacheEntryMismatch(ILogger logger, string proofId);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning,
        Message = "Access counts of {Failed} of {Proofs} proofs ({Lost} reads and duplicates) could not be written to {Store}; they are not retried")]
    public static partial void AccessCountsLost(ILogger logger, int failed, int proofs, long lost, string store);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Flushing access counts to {Store} failed")]
    public static partial void AccessFlushFailed(ILogger logger, Exception exception, string store);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Access counts of {ProofId} not written to {Provider}")]
    public static partial void AccessCountsNotWritten(ILogger logger, Exception exception, string proofId, string provider);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "This instance's access ranking could not be written to {Provider}; it is written again at the next flush")]
    public static partial void AccessRankingNotWritten(ILogger logger, Exception exception, string provider);
}
