namespace ProofStorage.Core;

/// <summary>What kind of integrity failure was detected on a stored object.</summary>
public enum IntegrityFailureKind
{
    /// <summary>The bytes are not an envelope this build understands (bad magic, version or layout).</summary>
    MalformedEnvelope,

    /// <summary>The envelope names a key id that is not in the key ring.</summary>
    UnknownKey,

    /// <summary>AES-GCM authentication failed: the bytes, the key or the object key (associated data) do not match.</summary>
    AuthenticationFailed,

    /// <summary>The decrypted payload does not decompress or is not the record it claims to be.</summary>
    CorruptPayload,

    /// <summary>A checksum stored beside the object does not match its bytes.</summary>
    ChecksumMismatch,
}

/// <summary>
/// A stored object failed verification. Never carries the object's bytes; a caller must treat the object as
/// missing-and-damaged, never as data. Mapped to a 5xx ProblemDetails by the Api.
/// </summary>
public sealed class ProofIntegrityException : Exception
{
    public ProofIntegrityException(IntegrityFailureKind kind, string objectKey, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        ObjectKey = objectKey;
    }

    public ProofIntegrityException()
    {
        ObjectKey = string.Empty;
    }

    public ProofIntegrityException(string message)
        : base(message)
    {
        ObjectKey = string.Empty;
    }

    public ProofIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
        ObjectKey = string.Empty;
    }

    /// <summary>What failed.</summary>
    public IntegrityFailureKind Kind { get; }

    /// <summary>The provider object key whose content failed verification.</summary>
    public string ObjectKey { get; }
}

/// <summary>
/// A storage provider could not be reached or did not answer in time. The operation may be retried; nothing
/// was acknowledged. Mapped to <c>503</c> with <c>Retry-After</c> by the Api.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException(string provider, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Provider = provider;
    }

    public StorageUnavailableException()
    {
        Provider = string.Empty;
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
        Provider = string.Empty;
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Provider = string.Empty;
    }

    /// <summary>The provider's configured name.</summary>
    public string Provider { get; }
}

/// <summary>A record would exceed <c>ProofStorage:MaxRecordBytes</c>. Nothing was stored. Mapped to <c>413</c>.</summary>
public sealed class ProofTooLargeException : Exception
{
    public ProofTooLargeException(long size, long limit)
        : base($"The proof record is {size} bytes; the limit is {limit} bytes.")
    {
        Size = size;
        Limit = limit;
    }

    public ProofTooLargeException()
    {
    }

    public ProofTooLargeException(string message)
        : base(message)
    {
    }

    public ProofTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public long Size { get; }

    public long Limit { get; }
}

/// <summary>
/// What a client sent cannot be stored as it is: a proof that is not one JSON value or nests too deep, a media type
/// that is malformed or does not fit its proof, a legacy id that cannot be one. Nothing was stored.
/// <see cref="Errors"/> names each offending field (as the API spells it: <c>proof</c>, <c>proofMediaType</c>, …)
/// with what is wrong in words a client can act on. Mapped to a <c>400</c> ValidationProblem by the Api.
/// </summary>
public sealed class ProofValidationException : Exception
{
    public ProofValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public ProofValidationException(string field, string message)
        : this(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] })
    {
    }

    public ProofValidationException()
        : this(new Dictionary<string, string[]>(StringComparer.Ordinal))
    {
    }

    public ProofValidationException(string message)
        : base(message)
    {
        Errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
    }

    public ProofValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
    }

    /// <summary>Field → what is wrong with it (one or more messages).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string Describe(IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count == 0 ? "The request is not valid." : string.Join(" ", errors.Values.SelectMany(messages => messages));
    }
}
