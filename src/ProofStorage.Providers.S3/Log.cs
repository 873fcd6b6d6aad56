using Microsoft.Extensions.Logging;

namespace ProofStorage.Providers.S3;

internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information,
        Message = "S3 provider {Provider} ({Flavor}) uses bucket {Bucket} at {Endpoint} with {Credentials} credentials")]
    public static partial void Configured(ILogger logger, string provider, string flavor, string bucket, string endpoint, string credentials);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Object {ObjectKey} on {Provider} does not match its stored SHA-256")]
    public static partial void ChecksumMismatch(ILogger logger, string objectKey, string provider);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "S3 provider {Provider} failed during {Operation}")]
    public static partial void CallFailed(ILogger logger, Exception exception, string provider, string operation);
}
