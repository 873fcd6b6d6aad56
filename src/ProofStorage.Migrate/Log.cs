using Microsoft.Extensions.Logging;

namespace ProofStorage.Migrate;

/// <summary>Log events of the migration CLI, with stable ids. Never logs proof payloads or key material.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Warning, Message = "Skipped {Item}: {Reason}")]
    public static partial void ItemSkipped(ILogger logger, string item, string reason);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "Failed to migrate {Item}")]
    public static partial void ItemFailed(ILogger logger, Exception exception, string item);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Transient storage failure; retry {Attempt}")]
    public static partial void RetryingTransientFailure(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Resuming from checkpoint {Checkpoint}: {Seen} item(s) done through {CompletedThrough}")]
    public static partial void Resuming(ILogger logger, string checkpoint, int seen, string? completedThrough);
}
