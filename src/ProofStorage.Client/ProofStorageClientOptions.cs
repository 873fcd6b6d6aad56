using Microsoft.Extensions.Options;

namespace ProofStorage.Client;

/// <summary>
/// How to reach the service and how hard to try. Section <see cref="SectionName"/>:
/// <code>
/// "ProofStorageClient": { "BaseAddress": "https://proofs.internal:8443", "ApiKey": "psk_…",
///   "AttemptTimeout": "00:00:30", "TotalTimeout": "00:02:00", "MaxRetryAttempts": 3, "RetryBaseDelay": "00:00:01" }
/// </code>
/// Validated at start-up (<see cref="ProofStorageClientOptionsValidator"/>).
/// </summary>
public sealed class ProofStorageClientOptions
{
    public const string SectionName = "ProofStorageClient";

    /// <summary>The service's base address (absolute http or https URL). Required.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Sent as <c>X-Api-Key</c>; none when reads are anonymous. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>One attempt, until the response headers arrive (a streamed proof document is read after it). Default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A whole call, retries and their delays included. Default 2 minutes; at least <see cref="AttemptTimeout"/>.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries after the first attempt (0-10) of a call that can be repeated safely. Default 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>
    /// Base of the exponential back-off (with jitter) between attempts, used when the service does not say how long to
    /// wait; a <c>Retry-After</c> on 429 or 503 is honoured instead. Default 1 s.
    /// </summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Checks <see cref="ProofStorageClientOptions"/> with messages that say what to set.</summary>
internal sealed class ProofStorageClientOptionsValidator : IValidateOptions<ProofStorageClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ProofStorageClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = ProofStorageClientOptions.SectionName;
        if (options.BaseAddress is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{section}:BaseAddress must be the service's absolute http(s) URL, e.g. https://proofs.internal:8443.");
        }

        if (options.ApiKey is { } key && (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            failures.Add($"{section}:ApiKey must be the key as printed by 'new-key' (no spaces or line breaks), or absent.");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:AttemptTimeout must be positive (e.g. 00:00:30).");
        }

        if (options.TotalTimeout < options.AttemptTimeout)
        {
            failures.Add($"{section}:TotalTimeout ({options.TotalTimeout}) must be at least AttemptTimeout ({options.AttemptTimeout}).");
        }

        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add($"{section}:MaxRetryAttempts must be 0-10 (0 turns retries off).");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero)
        {
            failures.Add($"{section}:RetryBaseDelay must be positive (e.g. 00:00:01).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
