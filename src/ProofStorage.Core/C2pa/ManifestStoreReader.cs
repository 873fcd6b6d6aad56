using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ProofStorage.Core.C2pa;

/// <summary>JUMBF box types (the TBox field) this reader looks at.</summary>
internal static class JumbfBoxTypes
{
    /// <summary><c>jumb</c>: a JUMBF superbox.</summary>
    public const uint Superbox = 0x6A756D62;

    /// <summary><c>jumd</c>: the JUMBF description box that opens every superbox.</summary>
    public const uint Description = 0x6A756D64;

    /// <summary><c>cbor</c>: a CBOR content box.</summary>
    public const uint Cbor = 0x63626F72;

    /// <summary><c>brob</c>: the Brotli content box of a compressed manifest.</summary>
    public const uint Brotli = 0x62726F62;

    /// <summary><c>free</c>: a JUMBF padding box.</summary>
    public const uint Padding = 0x66726565;
}

/// <summary>
/// The JUMBF type UUIDs C2PA defines all share the suffix <c>-0011-0010-8000-00AA00389B71</c> after a four-character code;
/// these are the codes (the UUID's first four bytes).
/// </summary>
internal static class C2paBoxTypes
{
    public const uint ManifestStore = 0x63327061; // c2pa
    public const uint StandardManifest = 0x63326D61; // c2ma
    public const uint LegacyStandardManifest = 0x63326D64; // c2md (read, never written)
    public const uint UpdateManifest = 0x6332756D; // c2um
    public const uint CompressedManifest = 0x6332636D; // c2cm
    public const uint AssertionStore = 0x63326173; // c2as
    public const uint Claim = 0x6332636C; // c2cl
    public const uint ClaimSignature = 0x63326373; // c2cs

    /// <summary>Bytes 4 to 15 of every ISO/C2PA-registered JUMBF type UUID.</summary>
    public static ReadOnlySpan<byte> UuidSuffix => [0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
}

/// <summary>One pass over the input; see <see cref="ManifestStore"/> for the rules.</summary>
internal sealed partial class ManifestStoreReader
{
    private const int MaxManifestLabelLength = 255;
    private const int MaxAlgLength = 255;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlyMemory<byte> _memory;
    private int _boxes;

    private ManifestStoreReader(ReadOnlyMemory<byte> memory) => _memory = memory;

    private ReadOnlySpan<byte> Input => _memory.Span;

    public static ManifestStore Read(ReadOnlyMemory<byte> bytes) => new ManifestStoreReader(bytes).ReadStore();

    private ManifestStore ReadStore()
    {
        var header = ReadHeader(0, Input.Length, outermost: true);
        if (header.End < Input.Length)
        {
            throw Fail(ManifestStoreFormatError.TrailingBytes, header.End,
                $"{Input.Length - header.End} bytes follow the manifest store box; a manifest store is exactly one box.");
        }

        if (header.Type != JumbfBoxTypes.Superbox)
        {
            throw Fail(ManifestStoreFormatError.NotAManifestStore, 0, $"The outermost box is '{FourCc(header.Type)}', not a JUMBF superbox (jumb).");
        }

        var store = ReadSuperbox(header, depth: 1);
        if (store.Type != C2paBoxTypes.ManifestStore || store.Label != "c2pa")
        {
            throw Fail(ManifestStoreFormatError.NotAManifestStore, 0,
                $"The outermost superbox is type '{FourCc(store.Type)}' labelled '{store.Label}'; a manifest store is type c2pa labelled 'c2pa'.");
        }

        var manifests = new List<C2paManifest>();
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var child in store.Superboxes)
        {
            var kind = child.Type switch
            {
                C2paBoxTypes.StandardManifest or C2paBoxTypes.LegacyStandardManifest => C2paManifestKind.Standard,
                C2paBoxTypes.UpdateManifest => C2paManifestKind.Update,
                C2paBoxTypes.CompressedManifest => C2paManifestKind.Compressed,
                _ => (C2paManifestKind?)null,
            };
            if (kind is null)
            {
                continue; // a box type this specification does not define: skipped, as C2PA requires
            }

            if (!IsManifestLabel(child.Label))
            {
                throw Fail(ManifestStoreFormatError.InvalidManifestLabel, child.Offset,
                    $"The manifest label '{child.Label}' is not a manifest identifier (urn:c2pa:UUID[:generator[:version_reason]]).");
            }

            if (!labels.Add(child.Label))
            {
                throw Fail(ManifestStoreFormatError.DuplicateManifestLabel, child.Offset, $"Two manifests are labelled '{child.Label}'.");
            }

            var softBindings = kind == C2paManifestKind.Compressed ? CheckCompressedManifest(child) : ReadManifest(child);
            manifests.Add(new C2paManifest(child.Label, kind.Value, new ByteRange(child.Offset, child.Length), softBindings));
        }

        if (manifests.Count == 0)
        {
            throw Fail(ManifestStoreFormatError.NoManifest, 0, "The manifest store holds no C2PA manifest.");
        }

        return new ManifestStore(_memory, store.Description, manifests);
    }

    // --- Boxes -------------------------------------------------------------------------------------------

    /// <summary>
    /// Reads the box header at <paramref name="offset"/>, a box that must end by <paramref name="limit"/>. Lengths are
    /// checked against what is there before anything is sliced or allocated.
    /// </summary>
    private BoxHeader ReadHeader(int offset, int limit, bool outermost = false)
    {
        if (++_boxes > ManifestStore.MaxBoxes)
        {
            throw Fail(ManifestStoreFormatError.TooManyBoxes, offset, $"The store holds more than {ManifestStore.MaxBoxes} boxes.");
        }

        var available = limit - offset;
        if (available < 8)
        {
            throw Overrun(offset, outermost, "a box header does not fit");
        }

        var length = (long)BinaryPrimitives.ReadUInt32BigEndian(Input[offset..]);
        var type = BinaryPrimitives.ReadUInt32BigEndian(Input[(offset + 4)..]);
        var headerLength = 8;
        if (length == 1)
        {
            if (available < 16)
            {
                throw Overrun(offset, outermost, "a 64-bit box length (XLBox) does not fit");
            }

            var extended = BinaryPrimitives.ReadUInt64BigEndian(Input[(offset + 8)..]);
            if (extended < 16)
            {
                throw Fail(ManifestStoreFormatError.BadBoxLength, offset, $"The box at {offset} has an XLBox of {extended}, less than its own 16-byte header.");
            }

            // Anything past the input is an overrun; comparing as unsigned keeps huge values from wrapping.
            if (extended > (ulong)available)
            {
                throw Overrun(offset, outermost, $"the box claims {extended} bytes (XLBox)");
            }

            length = (long)extended;
            headerLength = 16;
        }
        else if (length == 0)
        {
            throw Fail(ManifestStoreFormatError.BadBoxLength, offset, $"The box at {offset} has length 0 ('to the end of the file'), which a manifest store does not allow.");
        }
        else if (length < 8)
        {
            throw Fail(ManifestStoreFormatError.BadBoxLength, offset, $"The box at {offset} has length {length}, less than its own 8-byte header.");
        }
        else if (length > available)
        {
            throw Overrun(offset, outermost, $"the box claims {length} bytes");
        }

        return new BoxHeader(offset, (int)length, headerLength, type);
    }

    private Superbox ReadSuperbox(BoxHeader header, int depth)
    {
        if (depth > ManifestStore.MaxDepth)
        {
            throw Fail(ManifestStoreFormatError.NestingTooDeep, header.Offset, $"Superboxes are nested deeper than {ManifestStore.MaxDepth}.");
        }

        var position = header.Offset + header.HeaderLength;
        if (position == header.End)
        {
            throw Fail(ManifestStoreFormatError.BadDescriptionBox, header.Offset, $"The superbox at {header.Offset} is empty; it must start with a description box.");
        }

        var descriptionHeader = ReadHeader(position, header.End);
        if (descriptionHeader.Type != JumbfBoxTypes.Description)
        {
            throw Fail(ManifestStoreFormatError.BadDescriptionBox, position,
                $"The superbox at {header.Offset} starts with a '{FourCc(descriptionHeader.Type)}' box, not a description box (jumd).");
        }

        var (type, label) = ReadDescription(descriptionHeader);
        var superbox = new Superbox(header.Offset, header.Length, type, label, new ByteRange(descriptionHeader.Offset, descriptionHeader.Length));
        position = descriptionHeader.End;
        while (position < header.End)
        {
            var child = ReadHeader(position, header.End);
            switch (child.Type)
            {
                case JumbfBoxTypes.Superbox:
                    superbox.Superboxes.Add(ReadSuperbox(child, depth + 1));
                    break;
                case JumbfBoxTypes.Description:
                    throw Fail(ManifestStoreFormatError.BadDescriptionBox, child.Offset, $"The superbox at {header.Offset} has a second description box.");
                default:
                    superbox.Contents.Add(child);
                    break;
            }

            position = child.End;
        }

        return superbox;
    }

    /// <summary>
    /// A JUMBF description box: TYPE (16-byte UUID), TOGGLES, then per the toggles a null-terminated UTF-8 LABEL, a 4-byte
    /// ID, a 32-byte SIGNATURE and a PRIVATE box (ISO/IEC 19566-5 A.3). C2PA requires the label and requestable toggles.
    /// </summary>
    private (uint Type, string Label) ReadDescription(BoxHeader box)
    {
        var start = box.Offset + box.HeaderLength;
        var fields = Input[start..box.End];
        if (fields.Length < 17)
        {
            throw Fail(ManifestStoreFormatError.BadDescriptionBox, box.Offset, $"The description box at {box.Offset} is too short for its type and toggles.");
        }

        var type = fields[4..16].SequenceEqual(C2paBoxTypes.UuidSuffix) ? BinaryPrimitives.ReadUInt32BigEndian(fields) : 0u;
        var toggles = fields[16];
        if ((toggles & 0x03) != 0x03)
        {
            throw Fail(ManifestStoreFormatError.BadDescriptionBox, box.Offset,
                $"The description box at {box.Offset} lacks the requestable and label-present toggles C2PA requires (toggles 0x{toggles:x2}).");
        }

        var rest = fields[17..];
        var terminator = rest.IndexOf((byte)0);
        if (terminator < 0)
        {
            throw Fail(ManifestStoreFormatError.BadDescriptionBox, box.Offset, $"The label of the description box at {box.Offset} is not null-terminated.");
        }

        var label = DecodeLabel(rest[..terminator], box.Offset);
        rest = rest[(terminator + 1)..];
        var optional = ((toggles & 0x04) != 0 ? 4 : 0) + ((toggles & 0x08) != 0 ? 32 : 0);
        if (rest.Length < optional)
        {
            throw Fail(ManifestStoreFormatError.BadDescriptionBox, box.Offset, $"The description box at {box.Offset} is too short for its ID or signature fields.");
        }

        rest = rest[optional..];
        if ((toggles & 0x10) != 0)
        {
            // The private field is one whole box; its length has to fit in what is left of this one.
            var privateOffset = box.End - rest.Length;
            var privateBox = ReadHeader(privateOffset, box.End);
            rest = rest[privateBox.Length..];
        }

        if (!rest.IsEmpty)
        {
            throw Fail(ManifestStoreFormatError.BadDescriptionBox, box.Offset, $"The description box at {box.Offset} has {rest.Length} bytes after its fields.");
        }

        return (type, label);
    }

    private static string DecodeLabel(ReadOnlySpan<byte> bytes, int offset)
    {
        string label;
        try
        {
            label = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Fail(ManifestStoreFormatError.InvalidLabel, offset, $"The label of the description box at {offset} is not UTF-8.", e);
        }

        if (label.Length == 0)
        {
            throw Fail(ManifestStoreFormatError.InvalidLabel, offset, $"The description box at {offset} has an empty label.");
        }

        foreach (var c in label)
        {
            // C2PA "Labels": no C0/C1 controls, no '/', ';', '?', '#' (JUMBF URI syntax), no U+FEFF or U+FFFF.
            // Valid UTF-8 decodes to no lone surrogate, so U+D800-U+DFFF cannot occur.
            if (c < 0x20 || c is >= '\u007F' and <= '\u009F' or '/' or ';' or '?' or '#' or '\uFEFF' or '\uFFFF')
            {
                throw Fail(ManifestStoreFormatError.InvalidLabel, offset,
                    $"The label of the description box at {offset} holds U+{(int)c:X4}, which C2PA does not allow in labels.");
            }
        }

        return label;
    }

    // --- Manifests ---------------------------------------------------------------------------------------

    /// <summary>Checks a standard or update manifest's parts and returns the soft bindings it declares.</summary>
    private List<C2paSoftBinding> ReadManifest(Superbox manifest)
    {
        var assertionStore = Single(manifest, C2paBoxTypes.AssertionStore, "c2pa.assertions", "an assertion store");
        var claim = Single(manifest, C2paBoxTypes.Claim, label => label is "c2pa.claim.v2" or "c2pa.claim", "a claim");
        _ = Single(manifest, C2paBoxTypes.ClaimSignature, "c2pa.signature", "a claim signature");
        if (assertionStore.Superboxes.Count == 0)
        {
            throw Fail(ManifestStoreFormatError.IncompleteManifest, assertionStore.Offset, $"The assertion store of manifest '{manifest.Label}' holds no assertion.");
        }

        var softBindings = new List<C2paSoftBinding>();
        string? claimAlgSoft = null;
        var claimRead = false;
        foreach (var assertion in assertionStore.Superboxes)
        {
            if (!IsSoftBindingLabel(assertion.Label))
            {
                continue;
            }

            var content = SingleCbor(assertion)
                ?? throw Fail(ManifestStoreFormatError.InvalidSoftBinding, assertion.Offset,
                    $"The soft-binding assertion '{assertion.Label}' of manifest '{manifest.Label}' is not a single CBOR box.");
            var (alg, values) = SoftBindingCbor.ReadAssertion(_memory.Slice(content.PayloadOffset, content.PayloadLength), assertion.Offset);
            if (alg is null)
            {
                if (!claimRead)
                {
                    var claimContent = SingleCbor(claim)!.Value;
                    claimAlgSoft = SoftBindingCbor.ReadClaimAlgSoft(_memory.Slice(claimContent.PayloadOffset, claimContent.PayloadLength), claim.Offset);
                    claimRead = true;
                }

                alg = claimAlgSoft ?? throw Fail(ManifestStoreFormatError.InvalidSoftBinding, assertion.Offset,
                    $"The soft-binding assertion '{assertion.Label}' names no algorithm, and the claim has no alg_soft.");
            }

            if (alg.Length is 0 or > MaxAlgLength || alg.Any(char.IsControl))
            {
                throw Fail(ManifestStoreFormatError.InvalidSoftBinding, assertion.Offset,
                    $"The soft-binding algorithm name of '{assertion.Label}' is empty, longer than {MaxAlgLength} characters or holds a control character.");
            }

            foreach (var (value, isText) in values)
            {
                softBindings.Add(new C2paSoftBinding(alg, value, isText));
            }
        }

        return softBindings;
    }

    private static List<C2paSoftBinding> CheckCompressedManifest(Superbox manifest)
    {
        if (manifest.Superboxes.Count != 0 || manifest.Contents.Count(c => c.Type == JumbfBoxTypes.Brotli) != 1)
        {
            throw Fail(ManifestStoreFormatError.IncompleteManifest, manifest.Offset,
                $"The compressed manifest '{manifest.Label}' must hold exactly one brob box and no superbox.");
        }

        return [];
    }

    private static Superbox Single(Superbox manifest, uint type, string label, string what) => Single(manifest, type, l => l == label, what);

    private static Superbox Single(Superbox manifest, uint type, Func<string, bool> labelMatches, string what)
    {
        Superbox? found = null;
        foreach (var child in manifest.Superboxes)
        {
            if (child.Type != type)
            {
                continue;
            }

            if (found is not null || !labelMatches(child.Label))
            {
                throw Fail(ManifestStoreFormatError.IncompleteManifest, child.Offset,
                    $"Manifest '{manifest.Label}' has more than one {what} or one with the label '{child.Label}'.");
            }

            found = child;
        }

        if (found is null)
        {
            throw Fail(ManifestStoreFormatError.IncompleteManifest, manifest.Offset, $"Manifest '{manifest.Label}' has no {what}.");
        }

        if (type != C2paBoxTypes.AssertionStore && SingleCbor(found) is null)
        {
            throw Fail(ManifestStoreFormatError.IncompleteManifest, found.Offset, $"The {what} of manifest '{manifest.Label}' is not a single CBOR box.");
        }

        return found;
    }

    /// <summary>The superbox's one CBOR content box (padding boxes aside), or null when it has none, several, or other content.</summary>
    private static BoxHeader? SingleCbor(Superbox box)
    {
        BoxHeader? cbor = null;
        foreach (var content in box.Contents)
        {
            if (content.Type == JumbfBoxTypes.Padding)
            {
                continue;
            }

            if (content.Type != JumbfBoxTypes.Cbor || cbor is not null)
            {
                return null;
            }

            cbor = content;
        }

        return box.Superboxes.Count == 0 ? cbor : null;
    }

    internal static bool IsManifestLabel(string label) =>
        label.Length <= MaxManifestLabelLength && (C2paUrn().IsMatch(label) || LegacyUuidUrn().IsMatch(label));

    private static bool IsSoftBindingLabel(string label) => SoftBindingLabel().IsMatch(label);

    // urn:c2pa:UUID, then optionally ":" a claim generator identifier of up to 32 visible characters, then optionally
    // ":" version "_" reason (C2PA "Unique Identifiers", ABNF for C2PA URN).
    [GeneratedRegex(@"^urn:c2pa:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(:[\x21-\x7E\u00A0-\u00FF]{0,32}(:[0-9]+_[0-9]+)?)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex C2paUrn();

    // The form of specification 1.x: an optional claim generator prefix, then an RFC 9562 UUID URN.
    [GeneratedRegex(@"^([\x21-\x39\x3B-\x7E]{1,64}:)?urn:uuid:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex LegacyUuidUrn();

    // A second assertion with the same label gets an instance suffix: c2pa.soft-binding__1, __2, ...
    [GeneratedRegex(@"^c2pa\.soft-binding(__[0-9]{1,9})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex SoftBindingLabel();

    // --- Failures ----------------------------------------------------------------------------------------

    private ManifestStoreFormatException Overrun(int offset, bool outermost, string what) => outermost
        ? Fail(ManifestStoreFormatError.Truncated, offset, $"The input ends before the manifest store box does ({what}; the input is {Input.Length} bytes).")
        : Fail(ManifestStoreFormatError.BadBoxLength, offset, $"The box at {offset} reaches past the superbox holding it ({what}).");

    internal static ManifestStoreFormatException Fail(ManifestStoreFormatError error, long offset, string message, Exception? inner = null) =>
        new(error, offset, message, inner);

    private static string FourCc(uint type)
    {
        Span<char> text = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            var c = (char)((type >> (24 - (8 * i))) & 0xFF);
            text[i] = c is >= ' ' and <= '~' ? c : '?';
        }

        return type == 0 ? "unknown" : text.ToString();
    }

    internal readonly record struct BoxHeader(int Offset, int Length, int HeaderLength, uint Type)
    {
        public int End => Offset + Length;

        public int PayloadOffset => Offset + HeaderLength;

        public int PayloadLength => Length - HeaderLength;
    }

    private sealed class Superbox(int offset, int length, uint type, string label, ByteRange description)
    {
        public int Offset { get; } = offset;

        public int Length { get; } = length;

        /// <summary>The four-character code of a C2PA/JUMBF type UUID, or 0 for any other UUID.</summary>
        public uint Type { get; } = type;

        public string Label { get; } = label;

        public ByteRange Description { get; } = description;

        public List<Superbox> Superboxes { get; } = [];

        public List<BoxHeader> Contents { get; } = [];

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{FourCc(Type)} '{Label}' at {Offset}");
    }
}
