namespace ProofStorage.Api.Security;

/// <summary>What an API key may do. Scopes are independent: <c>admin</c> (stats) does not imply the others.</summary>
public static class ProofStorageScopes
{
    public const string Read = "proofs:read";
    public const string Write = "proofs:write";
    public const string Delete = "proofs:delete";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Read, Write, Delete, Admin];

    /// <summary>The claim type carrying one scope each.</summary>
    public const string ClaimType = "scope";
}

/// <summary>Authorization policy names, one per scope; endpoints use <c>.RequireAuthorization(ProofStoragePolicies.Write)</c>.</summary>
public static class ProofStoragePolicies
{
    /// <summary>proofs:read, or anyone when <see cref="AuthOptions.AllowAnonymousReads"/> is on.</summary>
    public const string Read = "proofs-read";
    public const string Write = "proofs-write";
    public const string Delete = "proofs-delete";
    public const string Admin = "admin";
}
