using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ProofStorage.Api.Security;

/// <summary>
/// Overload protection and shutdown. Requests are admitted per class: at most <c>MaxConcurrentRequests</c> stores and
/// deletes (provider-bound, each with a body) and at most <c>MaxConcurrentReads</c> reads run at once, so a cached read
/// never waits behind slow writes; up to <c>QueueLimit</c> more of each wait at most <c>QueueTimeout</c>; the rest get
/// <c>503</c> with <c>Retry-After</c> at once. Request bodies are admitted against <c>MaxInFlightBodyBytes</c> (beyond
/// it they wait, then get <c>503</c>), so the memory bodies take stays bounded whatever their size.
/// <c>ShutdownTimeout</c> is how long SIGTERM waits for in-flight requests to finish.
/// <code>
/// "ProofStorage": { "Overload": { "MaxConcurrentRequests": 64, "MaxConcurrentReads": 1024, "QueueLimit": 4096,
///   "QueueTimeout": "00:00:10", "MaxInFlightBodyBytes": 67108864, "ConnectionReadBufferBytes": 65536, "MaxConnections": 10000,
///   "ShutdownTimeout": "00:00:30" } }
/// </code>
/// </summary>
public sealed class OverloadOptions
{
    public const string SectionName = "ProofStorage:Overload";

    /// <summary>Stores and deletes in progress at once (the provider-bound class).</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>
    /// Reads, lookups and stats in progress at once. Generous: a cached read is a few microseconds of CPU and holds
    /// only a reference to cached bytes, so its limit exists to bound a flood, not memory.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentReads { get; set; } = 1024;

    /// <remarks>
    /// Generous on purpose: a queued request has not had its body read, so it holds little memory, and 1000
    /// clients in front of a store that answers a few hundred requests/s must wait their turn, not fail. Lower it
    /// (and <see cref="QueueTimeout"/>) when callers would rather be told to retry than wait. Per class.
    /// </remarks>
    [Range(0, 1_000_000)]
    public int QueueLimit { get; set; } = 4096;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Bytes that request bodies, and what stores build from them, hold at once: a store reserves four times its
    /// body (the body, and the record, gzip and envelope it builds), a lookup its body; with <c>Content-Length</c>
    /// before it is read, chunked as it grows. At least four times <c>ProofStorage:Api:MaxRequestBodyBytes</c>, so the
    /// largest allowed store can always be admitted. See docs/operations.md (sizing memory).
    /// </summary>
    [Range(1024, int.MaxValue)]
    public long MaxInFlightBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Bytes one connection reads off its socket ahead of the application (Kestrel's socket read buffer and request
    /// buffer). Outside <see cref="MaxInFlightBodyBytes"/>: a connection whose body waits for that budget still fills its
    /// read buffer, so with Kestrel's 1 MiB default 30 waiting 8 MB uploads held 30 MiB more than the budget. At least
    /// 32 KiB (Kestrel's request-header limit must fit). See docs/operations.md (sizing memory).
    /// </summary>
    [Range(32 * 1024, 64 * 1024 * 1024)]
    public int ConnectionReadBufferBytes { get; set; } = 64 * 1024;

    /// <summary>Kestrel's open-connection cap (beyond it new connections are closed at once); null = unlimited.</summary>
    [Range(1, 10_000_000)]
    public long? MaxConnections { get; set; } = 10_000;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Cross-section rules of <see cref="OverloadOptions"/>.</summary>
internal sealed class OverloadOptionsValidator(IOptions<ApiOptions> api) : IValidateOptions<OverloadOptions>
{
    public ValidateOptionsResult Validate(string? name, OverloadOptions options)
    {
        var needed = (long)api.Value.MaxRequestBodyBytes * RequestBodyBudget.StoreFactor;
        return options.MaxInFlightBodyBytes < needed
            ? ValidateOptionsResult.Fail($"{OverloadOptions.SectionName}:MaxInFlightBodyBytes is {options.MaxInFlightBodyBytes}, less than "
                + $"{RequestBodyBudget.StoreFactor} x {ApiOptions.SectionName}:MaxRequestBodyBytes ({needed}): a store of the largest allowed body "
                + "(which reserves its body and what it builds from it) could never be admitted. Raise it to at least that, or lower the body limit.")
            : ValidateOptionsResult.Success;
    }
}
