using System.Text;
using System.Text.Json;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;
using ProofStorage.Testing;

namespace ProofStorage.UnitTests.Codec;

public sealed class BinaryProofRecordTests
{
    private static readonly ImageHash Hash = ImageHash.Parse(TestKeys.ImageHash("binary-record"));
    private static readonly DateTimeOffset CreatedAt = new(2026, 11, 28, 9, 30, 0, 123, TimeSpan.Zero);
    private static readonly byte[] Content = [0x00, 0x00, 0x00, 0x10, (byte)'j', (byte)'u', (byte)'m', (byte)'b', 0xFF, 0x00, 0x7B, 0x22];

    private static C2paIdentifiers Identifiers => new("urn:c2pa:00000000-0000-4000-8000-000000000001",
        [Binding("com.digimarc.validate.1", "AAECAw=="), Binding("io.iscc.v0", "/w==")]);

    [Fact]
    public void WriteBinary_ThenReadHeader_GivesBackEveryField_AndTheContentUntouched()
    {
        var metadata = new Dictionary<string, string> { ["b"] = "2", ["a"] = "é" };
        var record = ProofRecord.WriteBinary("the-id", Hash, CreatedAt, metadata, ProofMediaTypes.C2pa, Identifiers, Content);

        var header = ProofRecord.ReadHeader(record);

        Assert.Equal(ProofRecordFormat.Binary, header.Format);
        Assert.Equal("the-id", header.ProofId);
        Assert.Equal(Hash, header.ImageHash);
        Assert.Equal(CreatedAt, header.CreatedAt);
        Assert.Equal(ProofMediaTypes.C2pa, header.MediaType);
        Assert.Equal(Identifiers, header.C2pa);
        Assert.Equal(Content, record.AsSpan(header.ContentOffset).ToArray());
        Assert.Equal(new Dictionary<string, string> { ["a"] = "é", ["b"] = "2" }, ProofRecord.ReadMetadata(record));
        var document = ProofRecord.ReadProofDocument(record);
        Assert.Equal(ProofMediaTypes.C2pa, document.MediaType);
        Assert.Equal(Content, document.Content.ToArray());
    }

    [Fact]
    public void BinaryLength_IsExactlyWhatWriteBinaryWrites()
    {
        var metadata = new Dictionary<string, string> { ["k\u2028\"<"] = "v\u0001" };
        foreach (ImageHash? hash in new ImageHash?[] { Hash, null })
        {
            var record = ProofRecord.WriteBinary("id", hash, CreatedAt, metadata, ProofMediaTypes.C2pa, Identifiers, Content);

            Assert.Equal(record.Length, ProofRecord.BinaryLength("id", hash, metadata, ProofMediaTypes.C2pa, Identifiers, Content.Length));
        }
    }

    [Fact]
    public void ARecordStoredWithoutImageHash_HasNone()
    {
        var record = ProofRecord.WriteBinary("id", null, CreatedAt, null, ProofMediaTypes.C2pa, Identifiers, Content);

        Assert.Null(ProofRecord.ReadHeader(record).ImageHash);
        Assert.DoesNotContain("imageHash", Encoding.UTF8.GetString(record), StringComparison.Ordinal);
    }

    [Fact]
    public void RenderJson_IsTheRecordAJsonStoreOfTheSameDocumentHolds_PlusItsIdentifiers()
    {
        var record = ProofRecord.WriteBinary("the-id", Hash, CreatedAt, null, ProofMediaTypes.C2pa, Identifiers, Content);

        var json = ProofRecord.RenderJson(record);

        using var parsed = JsonDocument.Parse(json);
        var root = parsed.RootElement;
        Assert.Equal(["proofId", "imageHash", "createdAt", "metadata", "proofMediaType", "manifestId", "softBindings", "proof"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Convert.ToBase64String(Content), root.GetProperty("proof").GetString());
        Assert.Equal(Identifiers.ManifestId, root.GetProperty("manifestId").GetString());
        Assert.Equal("AAECAw==", root.GetProperty("softBindings")[0].GetProperty("value").GetString());
        // Read back as a JSON record, it gives the same document.
        Assert.Equal(Content, ProofRecord.ReadProofDocument(json).Content.ToArray());
    }

    [Fact]
    public void AJsonRecord_IsNotBinary_AndRendersAsItself()
    {
        var record = ProofRecord.Write("id", Hash, CreatedAt, null, "{\"a\":1}"u8);

        Assert.False(ProofRecord.IsBinary(record));
        Assert.Equal(ProofRecordFormat.Json, ProofRecord.ReadHeader(record).Format);
        Assert.True(ProofRecord.RenderJson(record).Span.SequenceEqual(record));
    }

    [Theory]
    [InlineData(4)] // cut inside the preamble
    [InlineData(12)] // cut inside the header
    public void ATruncatedBinaryRecord_IsAFormatException(int length)
    {
        var record = ProofRecord.WriteBinary("id", Hash, CreatedAt, null, ProofMediaTypes.C2pa, Identifiers, Content);

        var truncated = record.AsSpan(0, length).ToArray();
        Assert.Throws<FormatException>(() => ProofRecord.ReadHeader(truncated));
    }

    [Fact]
    public void AnotherBinaryVersion_OrAHeaderLengthPastTheEnd_IsAFormatException()
    {
        var record = ProofRecord.WriteBinary("id", Hash, CreatedAt, null, ProofMediaTypes.C2pa, Identifiers, Content);
        var version = (byte[])record.Clone();
        version[4] = 3;
        var length = (byte[])record.Clone();
        length[5] = 0x7F;

        Assert.Throws<FormatException>(() => ProofRecord.ReadHeader(version));
        Assert.Throws<FormatException>(() => ProofRecord.ReadHeader(length));
    }

    private static SoftBinding Binding(string alg, string value) =>
        SoftBinding.TryCreate(alg, value, out var binding, out _) ? binding : throw new InvalidOperationException(value);
}
