namespace ProofStorage.Api.Contracts;

// The C2PA Soft Binding Resolution API's own shapes (C2PA 2.4 "Soft Binding API", OpenAPI components), property names
// exactly as published.

/// <summary><c>c2pa.softBindingAlgList</c>: the algorithms this repository resolves, by kind.</summary>
public sealed class SoftBindingAlgList
{
    public required IReadOnlyList<SoftBindingAlgEntry> Watermarks { get; init; }

    public required IReadOnlyList<SoftBindingAlgEntry> Fingerprints { get; init; }
}

/// <summary>One algorithm of <see cref="SoftBindingAlgList"/>.</summary>
public sealed class SoftBindingAlgEntry
{
    /// <example>com.digimarc.validate.1</example>
    public required string Alg { get; init; }
}

/// <summary><c>c2pa.softBindingQuery</c>: the body of <c>POST /matches/byBinding</c>.</summary>
public sealed class SoftBindingQuery
{
    /// <example>com.digimarc.validate.1</example>
    public required string Alg { get; init; }

    /// <summary>The soft binding's value, base64.</summary>
    /// <example>AAECAwQFBgc=</example>
    public required string Value { get; init; }
}

/// <summary><c>c2pa.softBindingQueryResult</c>.</summary>
public sealed class SoftBindingQueryResult
{
    public required IReadOnlyList<SoftBindingMatch> Matches { get; init; }
}

/// <summary>
/// One match. <c>endpoint</c> and <c>similarityScore</c> are never sent: every manifest is on this API's own
/// <c>/manifests</c>, and matching is exact.
/// </summary>
public sealed class SoftBindingMatch
{
    /// <example>urn:c2pa:5f1c8e2a-3b7d-4c9e-9a1f-2d6b8e4c7a10</example>
    public required string ManifestId { get; init; }
}

/// <summary><c>c2pa.manifestCreateResult</c> (this repository issues no receipts).</summary>
public sealed class ManifestCreateResult
{
    /// <example>urn:c2pa:5f1c8e2a-3b7d-4c9e-9a1f-2d6b8e4c7a10</example>
    public required string ManifestId { get; init; }
}

/// <summary><c>c2pa.bindings</c>: the body of <c>POST /bindings</c>.</summary>
public sealed class SoftBindingAssociation
{
    /// <summary>A soft binding value (base64) the manifest store carries.</summary>
    /// <example>AAECAwQFBgc=</example>
    public required string BindingValue { get; init; }

    /// <example>urn:c2pa:5f1c8e2a-3b7d-4c9e-9a1f-2d6b8e4c7a10</example>
    public required string ManifestId { get; init; }
}
