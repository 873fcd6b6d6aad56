using System.Buffers.Binary;

namespace ProofStorage.Core.C2pa;

/// <summary>
/// A C2PA manifest store (the <c>application/c2pa</c> JUMBF bytes a signer produces), read strictly: the outer
/// <c>c2pa</c> superbox, its manifests in store order with their labels, the active manifest, where each manifest's
/// bytes are, and the soft bindings each manifest declares. Immutable; keeps a reference to the bytes it was parsed from
/// (do not change them afterwards). Thread-safe.
/// </summary>
/// <remarks>
/// Follows the C2PA Technical Specification (2.2: "Manifest Store", "Labels", "Unique Identifiers", "Locating the
/// Active Manifest", "Soft Binding") over the JUMBF box layout of ISO/IEC 19566-5. Boxes of unknown types are skipped
/// as the specification requires, but every box length is checked. Work and memory are linear in the input and
/// never depend on a length the input claims; nesting and box count are bounded (<see cref="MaxDepth"/>,
/// <see cref="MaxBoxes"/>).
/// </remarks>
public sealed class ManifestStore
{
    /// <summary>Deepest superbox nesting accepted (the store itself is depth 1; c2pa-rs accepts the same).</summary>
    public const int MaxDepth = 32;

    /// <summary>Most boxes accepted in one store (real stores hold tens to a few thousand).</summary>
    public const int MaxBoxes = 65_536;

    internal ManifestStore(ReadOnlyMemory<byte> bytes, ByteRange descriptionBox, IReadOnlyList<C2paManifest> manifests)
    {
        Bytes = bytes;
        DescriptionBox = descriptionBox;
        Manifests = manifests;
    }

    /// <summary>The bytes the store was parsed from.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Where the store's own JUMBF description box (type c2pa, label <c>c2pa</c>) is.</summary>
    public ByteRange DescriptionBox { get; }

    /// <summary>The manifests in store order (never empty).</summary>
    public IReadOnlyList<C2paManifest> Manifests { get; }

    /// <summary>The active manifest: per the specification, the last manifest superbox in the store.</summary>
    public C2paManifest ActiveManifest => Manifests[^1];

    /// <summary>
    /// Reads a manifest store. Throws <see cref="ManifestStoreFormatException"/> (and nothing else) for any input that is not
    /// one.
    /// </summary>
    public static ManifestStore Parse(ReadOnlyMemory<byte> bytes) => ManifestStoreReader.Read(bytes);

    /// <summary>
    /// True when <paramref name="label"/> has the form of a manifest identifier this reader accepts as a manifest's label:
    /// <c>urn:c2pa:UUID[:generator[:version_reason]]</c> or the older <c>[generator:]urn:uuid:UUID</c>, at most 255
    /// characters. (A way to refuse a malformed <c>manifestId</c> before looking it up.)
    /// </summary>
    public static bool IsManifestLabel(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return ManifestStoreReader.IsManifestLabel(label);
    }

    /// <summary>
    /// A manifest store holding only the active manifest (what the Soft Binding Resolution API's
    /// <c>returnActiveManifest=true</c> asks for): this store's header and description box followed by the active
    /// manifest's bytes, unchanged. Ingredient manifests the active one refers to are not included.
    /// </summary>
    public byte[] ToActiveManifestOnly()
    {
        var description = Bytes.Span.Slice(DescriptionBox.Offset, DescriptionBox.Length);
        var manifest = Bytes.Span.Slice(ActiveManifest.Range.Offset, ActiveManifest.Range.Length);
        // Both come from a store that fits in an int, and are disjoint parts of it, so the sum does too.
        var length = 8 + description.Length + manifest.Length;
        var result = new byte[length];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)length);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(4), JumbfBoxTypes.Superbox);
        description.CopyTo(result.AsSpan(8));
        manifest.CopyTo(result.AsSpan(8 + description.Length));
        return result;
    }
}

/// <summary>What kind of C2PA manifest a manifest superbox is (from its JUMBF type UUID).</summary>
public enum C2paManifestKind
{
    /// <summary>A standard manifest (c2ma, or the older c2md), carrying a hard binding.</summary>
    Standard,

    /// <summary>An update manifest (c2um): new assertions, content unchanged.</summary>
    Update,

    /// <summary>A compressed standard or update manifest (c2cm): its content is Brotli bytes in a brob box, not read here.</summary>
    Compressed,
}

/// <summary>One manifest of a store.</summary>
public sealed class C2paManifest
{
    internal C2paManifest(string label, C2paManifestKind kind, ByteRange range, IReadOnlyList<C2paSoftBinding> softBindings)
    {
        Label = label;
        Kind = kind;
        Range = range;
        SoftBindings = softBindings;
    }

    /// <summary>
    /// The manifest's unique identifier, its JUMBF label: <c>urn:c2pa:UUID[:generator[:version_reason]]</c> (or an older
    /// <c>[generator:]urn:uuid:UUID</c>). The Soft Binding Resolution API's <c>manifestId</c>.
    /// </summary>
    public string Label { get; }

    /// <summary>Standard, update or compressed (from the manifest superbox's type UUID).</summary>
    public C2paManifestKind Kind { get; }

    /// <summary>Where the whole manifest superbox (header included) is in the store's bytes.</summary>
    public ByteRange Range { get; }

    /// <summary>The soft bindings declared by the manifest's <c>c2pa.soft-binding</c> assertions, in order (empty for compressed manifests).</summary>
    public IReadOnlyList<C2paSoftBinding> SoftBindings { get; }
}

/// <summary>
/// One soft-binding value from a <c>c2pa.soft-binding</c> assertion block.
/// </summary>
/// <param name="Alg">
/// The algorithm name (from the C2PA soft binding algorithm list), from the assertion's <c>alg</c> or else the claim's
/// <c>alg_soft</c>.
/// </param>
/// <param name="Value">
/// The value as the Soft Binding Resolution API passes it: base64 of the bytes when the block value is a CBOR byte
/// string (as the specification's CDDL says), or the text itself when it is a CBOR text string (what c2pa-rs writes,
/// by convention already base64).
/// </param>
/// <param name="ValueIsText">True when the block value was a CBOR text string.</param>
public sealed record C2paSoftBinding(string Alg, string Value, bool ValueIsText);

/// <summary>A range of bytes in the store.</summary>
public readonly record struct ByteRange(int Offset, int Length)
{
    /// <summary>The first offset after the range.</summary>
    public int End => Offset + Length;
}
