using System.Text;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;
using ProofStorage.Testing;

namespace ProofStorage.UnitTests.Codec;

/// <summary>The proof document a record holds (the manifest route's body) and the optional media type it is stored with.</summary>
public sealed class ProofDocumentContentTests
{
    private static readonly ImageHash Hash = ImageHash.Parse(TestKeys.ImageHash("document"));
    private static readonly DateTimeOffset CreatedAt = new(2026, 11, 28, 10, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void Write_WithoutMediaType_IsTheRecordOlderVersionsWrote()
    {
        var record = ProofRecord.Write("id", Hash, CreatedAt, null, "{}"u8);

        Assert.Equal($"{{\"proofId\":\"id\",\"imageHash\":\"{Hash.Value}\",\"createdAt\":\"2026-11-28T10:00:00.123Z\",\"metadata\":{{}},\"proof\":{{}}}}",
            Encoding.UTF8.GetString(record));
    }

    [Fact]
    public void Write_WithMediaType_PutsItJustBeforeTheProofAndHeaderStillReads()
    {
        var record = ProofRecord.Write("id", Hash, CreatedAt, null, "\"AAE=\""u8, "application/c2pa");

        Assert.EndsWith(",\"metadata\":{},\"proofMediaType\":\"application/c2pa\",\"proof\":\"AAE=\"}", Encoding.UTF8.GetString(record), StringComparison.Ordinal);
        Assert.Equal(new ProofRecordHeader("id", Hash, CreatedAt), ProofRecord.ReadHeader(record));
    }

    [Theory]
    [InlineData("{ \"b\" : 1,\n  \"a\":\"\\u00e9é\" }")]
    [InlineData("[1, 2.50, 1e3, -0]")]
    [InlineData("\"a string\"")]
    [InlineData("17")]
    public void ReadProofDocument_OlderRecordWithoutMediaType_IsTheProofTextAsJson(string proof)
    {
        var record = ProofRecord.Write("id", Hash, CreatedAt, new Dictionary<string, string> { ["k"] = "{\"proof\":1}" }, Encoding.UTF8.GetBytes(proof));

        var document = ProofRecord.ReadProofDocument(record);

        Assert.Equal("application/json", document.MediaType);
        Assert.Equal(Encoding.UTF8.GetBytes(proof), document.Content.ToArray());
    }

    [Fact]
    public void ReadProofDocument_JsonSuffixMediaType_IsTheProofTextWithThatType()
    {
        var record = ProofRecord.Write("id", Hash, CreatedAt, null, "{\"a\": 1}"u8, "application/c2pa-manifest+json");

        var document = ProofRecord.ReadProofDocument(record);

        Assert.Equal("application/c2pa-manifest+json", document.MediaType);
        Assert.Equal("{\"a\": 1}"u8.ToArray(), document.Content.ToArray());
    }

    [Fact]
    public void ReadProofDocument_BinaryMediaType_IsTheDecodedBytes()
    {
        byte[] bytes = [0, 1, 2, 0xFE, 0xFF];
        var record = ProofRecord.Write("id", Hash, CreatedAt, null, Encoding.UTF8.GetBytes($"\"{Convert.ToBase64String(bytes)}\""), "application/c2pa");

        var document = ProofRecord.ReadProofDocument(record);

        Assert.Equal("application/c2pa", document.MediaType);
        Assert.Equal(bytes, document.Content.ToArray());
    }

    [Theory]
    [InlineData(null, "{}", true)]
    [InlineData("application/json", "{}", true)]
    [InlineData("application/vnd.example+json", "[1]", true)]
    [InlineData("application/c2pa", "\"AAEC\"", true)]
    [InlineData("application/c2pa", "{}", false)]
    [InlineData("application/c2pa", "\"not base64\"", false)]
    [InlineData("application/json; charset=utf-8", "{}", false)]
    [InlineData("application", "{}", false)]
    [InlineData("application/", "{}", false)]
    [InlineData("/json", "{}", false)]
    [InlineData("a/b/c", "{}", false)]
    [InlineData("text/plain\r\nX-Injected: 1", "\"AA==\"", false)]
    public void Check_AcceptsOnlyWellFormedTypesThatFitTheProof(string? mediaType, string proof, bool accepted)
    {
        Assert.Equal(accepted, ProofMediaTypes.Check(mediaType, Encoding.UTF8.GetBytes(proof)) is null);
    }
}
