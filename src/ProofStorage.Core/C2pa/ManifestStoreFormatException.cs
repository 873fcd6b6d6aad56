namespace ProofStorage.Core.C2pa;

/// <summary>Why bytes are not a C2PA manifest store this service accepts (see <see cref="ManifestStoreFormatException"/>).</summary>
public enum ManifestStoreFormatError
{
    /// <summary>The input ends inside a box: a header or a box body reaches past the last byte (this includes empty input).</summary>
    Truncated,

    /// <summary>
    /// A box length is impossible: 0 (the "to the end of the file" form has no place in a manifest store), 2 to 7 (shorter
    /// than its own header), an XLBox under 16, or a box that reaches past the end of the superbox holding it.
    /// </summary>
    BadBoxLength,

    /// <summary>Bytes follow the manifest store box; a manifest store is exactly one box.</summary>
    TrailingBytes,

    /// <summary>The outermost box is not a JUMBF superbox labelled <c>c2pa</c> with the C2PA manifest store type UUID.</summary>
    NotAManifestStore,

    /// <summary>
    /// A superbox does not start with a well-formed JUMBF description box (jumd), has a second one, or its description box
    /// lacks the requestable and label-present toggles, is shorter than its fields, or has bytes after them.
    /// </summary>
    BadDescriptionBox,

    /// <summary>A box label is empty, not UTF-8, or holds a character C2PA forbids in labels (controls, '/', ';', '?', '#', U+FEFF, U+FFFF).</summary>
    InvalidLabel,

    /// <summary>Superboxes are nested deeper than <see cref="ManifestStore.MaxDepth"/>.</summary>
    NestingTooDeep,

    /// <summary>The store holds more than <see cref="ManifestStore.MaxBoxes"/> boxes.</summary>
    TooManyBoxes,

    /// <summary>The store holds no C2PA manifest (c2ma, c2md, c2um or c2cm superbox).</summary>
    NoManifest,

    /// <summary>A manifest label is not a manifest identifier: <c>urn:c2pa:UUID[:generator[:version_reason]]</c> or the older <c>[generator:]urn:uuid:UUID</c>.</summary>
    InvalidManifestLabel,

    /// <summary>Two manifests in the store have the same label.</summary>
    DuplicateManifestLabel,

    /// <summary>
    /// A manifest lacks, or has more than one of, the assertion store (with at least one assertion), the claim or the claim
    /// signature (each with its single CBOR box); or a compressed manifest does not hold exactly one brob box.
    /// </summary>
    IncompleteManifest,

    /// <summary>A <c>c2pa.soft-binding</c> assertion is not a soft-binding map (CBOR with an algorithm and at least one block value).</summary>
    InvalidSoftBinding,
}

/// <summary>
/// The bytes are not a C2PA manifest store (<c>application/c2pa</c>) this service accepts; <see cref="Error"/> says why and
/// <see cref="Offset"/> where. Thrown only by <see cref="ManifestStore.Parse"/>, for any input it refuses: it is the client's
/// input that is wrong, never the service, so the Api maps it to a 4xx ProblemDetails and stores nothing. Never carries
/// the input bytes.
/// </summary>
public sealed class ManifestStoreFormatException : Exception
{
    public ManifestStoreFormatException(ManifestStoreFormatError error, long offset, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        Offset = offset;
    }

    public ManifestStoreFormatException()
    {
    }

    public ManifestStoreFormatException(string message)
        : base(message)
    {
    }

    public ManifestStoreFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What is wrong.</summary>
    public ManifestStoreFormatError Error { get; }

    /// <summary>Byte offset in the input of the box (or field) found wrong.</summary>
    public long Offset { get; }
}
