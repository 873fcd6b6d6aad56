using Microsoft.Extensions.Options;

namespace ProofStorage.Api.Security;

/// <summary>
/// API keys and who may read anonymously. Keys are stored as hashes only (make one with
/// <c>dotnet ProofStorage.Api.dll new-key</c> or <c>hash-key</c>, see docs/security.md).
/// <code>
/// "ProofStorage": { "Auth": {
///   "AllowAnonymousReads": false,
///   "Keys": {
///     "signer":  { "Hash": "sha256:&lt;64 hex&gt;", "Scopes": [ "proofs:read", "proofs:write" ] },
///     "ops":     { "Hash": "sha256:&lt;64 hex&gt;", "Scopes": [ "admin", "proofs:delete" ] } } } }
/// </code>
/// In Development with no key configured, authentication is switched off (with a warning at start-up) so
/// <c>dotnet run</c> and Swagger work out of the box. In any other environment a missing key stops start-up.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "ProofStorage:Auth";

    /// <summary>When true, GET/HEAD of proofs and lookups need no key (proofs are meant to be verifiable by anyone).</summary>
    public bool AllowAnonymousReads { get; set; }

    /// <summary>Key name (shows in logs, never the key) → its hash and scopes.</summary>
    public Dictionary<string, ApiKeyOptions> Keys { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One API key: its hash (<c>sha256:&lt;hex&gt;</c>) and what it may do.</summary>
public sealed class ApiKeyOptions
{
    public string? Hash { get; set; }

    public List<string> Scopes { get; set; } = [];
}

/// <summary>Cross-field rules with messages an operator can act on.</summary>
internal sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (options.Keys.Count == 0 && !environment.IsDevelopment())
        {
            failures.Add($"No API key is configured under {AuthOptions.SectionName}:Keys, and the environment is '{environment.EnvironmentName}'. "
                + "Writes would be open to anyone, so the service refuses to start. Create a key with "
                + "'dotnet ProofStorage.Api.dll new-key' and configure its hash (see docs/security.md).");
        }

        foreach (var (keyName, key) in options.Keys)
        {
            if (!ApiKeyHash.TryParse(key.Hash, out _))
            {
                // The value is never echoed: an operator may have pasted the key itself here.
                failures.Add($"{AuthOptions.SectionName}:Keys:{keyName}:Hash is not of the form 'sha256:<64 hex characters>'.");
            }

            if (key.Scopes.Count == 0)
            {
                failures.Add($"{AuthOptions.SectionName}:Keys:{keyName}:Scopes is empty; give it some of: {string.Join(", ", ProofStorageScopes.All)}.");
            }

            foreach (var scope in key.Scopes.Where(s => !ProofStorageScopes.All.Contains(s, StringComparer.Ordinal)))
            {
                failures.Add($"{AuthOptions.SectionName}:Keys:{keyName}:Scopes has unknown scope '{scope}'; known: {string.Join(", ", ProofStorageScopes.All)}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
