namespace ProofStorage.Api.Security;

/// <summary>What an API key may do. Scopes are independent: <c>admin</c> (stats) does not imply the others.</summary>
public static class ProofStorageScopes
{
    public const string Read = "proofs:read";
    public const string Write = "proofs:write";
    public const string Delete = "proofs:delete";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Read, Write, Delete, Admin];

    /// <summary>The scope as a flag, or <see cref="ScopeSet.None"/> for a name that is not a scope.</summary>
    internal static ScopeSet ToSet(string scope) => scope switch
    {
        Read => ScopeSet.Read,
        Write => ScopeSet.Write,
        Delete => ScopeSet.Delete,
        Admin => ScopeSet.Admin,
        _ => ScopeSet.None,
    };
}

/// <summary>Scopes as flags, so a per-request check is one AND.</summary>
[Flags]
internal enum ScopeSet
{
    None = 0,
    Read = 1,
    Write = 2,
    Delete = 4,
    Admin = 8,
    All = Read | Write | Delete | Admin,
}
