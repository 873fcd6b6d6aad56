namespace ProofStorage.Api.Security;

/// <summary>Log events of the Api's security and overload layers. Never logs keys, only key names.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning,
        Message = "AUTHENTICATION IS OFF: no API key is configured and the environment is Development, so every request may read, write, delete and see stats. Configure ProofStorage:Auth:Keys (docs/security.md) before exposing this instance.")]
    public static partial void AuthenticationDisabled(ILogger logger);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "API key authentication on: {KeyCount} key(s) configured, anonymous reads {AnonymousReads}")]
    public static partial void AuthenticationEnabled(ILogger logger, int keyCount, bool anonymousReads);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Overloaded: {Shed} {RequestClass} request(s) shed with 503 so far")]
    public static partial void LoadShed(ILogger logger, long shed, string requestClass);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Debug, Message = "Rate limit hit by {Partition}")]
    public static partial void RateLimited(ILogger logger, string partition);
}
