namespace ProofStorage.Client;

/// <summary>A soft binding: an algorithm name from the C2PA soft binding algorithm list and its value in base64.</summary>
public sealed record SoftBindingValue
{
    public SoftBindingValue(string alg, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(alg);
        ArgumentException.ThrowIfNullOrEmpty(value);
        Alg = alg;
        Value = value;
    }

    /// <summary>e.g. <c>com.digimarc.validate.1</c>.</summary>
    public string Alg { get; }

    /// <summary>The value, base64 (as the Soft Binding Resolution API gives it).</summary>
    public string Value { get; }
}

/// <summary>
/// A C2PA manifest store to store as its raw bytes (<c>application/c2pa</c>, no base64): from memory (the bytes are
/// referenced, not copied: keep them unchanged until the call completes; a retry sends them again) or from a stream (sent
/// as it is read, never retried: a stream cannot be sent twice).
/// </summary>
public sealed record StoreManifestStoreRequest
{
    private StoreManifestStoreRequest(ReadOnlyMemory<byte> bytes, Stream? stream)
    {
        Bytes = bytes;
        Stream = stream;
    }

    /// <summary>The manifest store's bytes (when not from a stream).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The stream the manifest store is read from, or null.</summary>
    public Stream? Stream { get; }

    /// <summary>SHA-256 of the image (64 hexadecimal characters); without it the proof is named by the active manifest's id.</summary>
    public string? ImageHash { get; init; }

    /// <summary>Optional string metadata kept with the proof.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Soft bindings the manifest store is found by (besides those its active manifest declares).</summary>
    public IReadOnlyList<SoftBindingValue>? SoftBindings { get; init; }

    public static StoreManifestStoreRequest FromBytes(ReadOnlyMemory<byte> manifestStore) => new(manifestStore, null);

    public static StoreManifestStoreRequest FromStream(Stream manifestStore)
    {
        ArgumentNullException.ThrowIfNull(manifestStore);
        return new StoreManifestStoreRequest(default, manifestStore);
    }
}

/// <summary>One match of a soft binding query: the manifest id, fetched with <see cref="IProofStorageClient.GetManifestAsync"/>.</summary>
public sealed class SoftBindingMatch
{
    public required string ManifestId { get; init; }

    /// <summary>Where to fetch it when not from this service (this service never sets it).</summary>
    public string? Endpoint { get; init; }

    public int? SimilarityScore { get; init; }
}

/// <summary>The soft binding algorithms the service resolves (<c>GET /c2pa/v1/services/supportedAlgorithms</c>).</summary>
public sealed class SupportedAlgorithms
{
    public required IReadOnlyList<AlgorithmName> Watermarks { get; init; }

    public required IReadOnlyList<AlgorithmName> Fingerprints { get; init; }
}

/// <summary>An entry of <see cref="SupportedAlgorithms"/>.</summary>
public sealed class AlgorithmName
{
    public required string Alg { get; init; }
}

internal sealed class SoftBindingQueryBody
{
    public required IReadOnlyList<SoftBindingMatch> Matches { get; init; }
}

internal sealed class ManifestCreateBody
{
    public required string ManifestId { get; init; }
}

internal sealed class SoftBindingQueryRequestBody
{
    public required string Alg { get; init; }

    public required string Value { get; init; }
}

internal sealed class BindingRequestBody
{
    public required string BindingValue { get; init; }

    public required string ManifestId { get; init; }
}
