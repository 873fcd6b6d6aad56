using System.Text;
using System.Text.Json;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;
using ProofStorage.Testing;

namespace ProofStorage.UnitTests.Codec;

public sealed class ProofRecordTests
{
    private static readonly ImageHash Hash = ImageHash.Parse(TestKeys.ImageHash("record"));
    private static readonly DateTimeOffset CreatedAt = new(2026, 11, 28, 10, 0, 0, 123, TimeSpan.Zero);

    [Theory]
    [InlineData("{ \"b\" : 1,\n  \"a\":\"\\u00e9é\" }")]
    [InlineData("[1, 2.50, 1e3, -0]")]
    [InlineData("\"just a string\"")]
    [InlineData("12345678901234567890123456789")]
    public void Write_KeepsTheProofBytesExactlyAsSent(string proof)
    {
        var proofBytes = Encoding.UTF8.GetBytes(proof);

        var record = ProofRecord.Write("id", Hash, CreatedAt, null, proofBytes);

        using var document = JsonDocument.Parse(record);
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(document.RootElement.GetProperty("proof")).ToArray();
        Assert.Equal(proofBytes, raw);
    }

    [Theory]
    [InlineData("2026-11-28T10:00:00.123+00:00", "2026-11-28T10:00:00.123Z")]
    [InlineData("2026-11-28T10:00:00.000+00:00", "2026-11-28T10:00:00.000Z")]
    [InlineData("2026-01-02T03:04:05.0099999+00:00", "2026-01-02T03:04:05.009Z")]
    [InlineData("2026-11-28T23:59:59.999+02:00", "2026-11-28T21:59:59.999Z")]
    [InlineData("0001-01-01T00:00:00.007+00:00", "0001-01-01T00:00:00.007Z")]
    [InlineData("9999-12-31T23:59:59.9999999+00:00", "9999-12-31T23:59:59.999Z")]
    public void FormatTimestamp_IsMillisecondUtcIso8601(string value, string expected)
    {
        var timestamp = DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, ProofRecord.FormatTimestamp(timestamp));
    }

    [Fact]
    public void Write_IsCanonical_FieldOrderAndSortedMetadata()
    {
        var record = ProofRecord.Write("id", Hash, CreatedAt, new Dictionary<string, string> { ["z"] = "1", ["a"] = "ü" }, "{}"u8);

        Assert.Equal(
            $"{{\"proofId\":\"id\",\"imageHash\":\"{Hash.Value}\",\"createdAt\":\"2026-11-28T10:00:00.123Z\",\"metadata\":{{\"a\":\"ü\",\"z\":\"1\"}},\"proof\":{{}}}}",
            Encoding.UTF8.GetString(record));
    }

    [Fact]
    public void ReadHeader_ReturnsTheIdentifyingFields()
    {
        var record = ProofRecord.Write("the-id", Hash, CreatedAt, null, "[1]"u8);

        var header = ProofRecord.ReadHeader(record);

        Assert.Equal(new ProofRecordHeader("the-id", Hash, CreatedAt), header);
    }

    [Theory]
    [InlineData("{}", true)]
    [InlineData("  [1,{\"a\":null}] ", true)]
    [InlineData("{} {}", false)]
    [InlineData("{", false)]
    [InlineData("", false)]
    [InlineData("[[[[1]]]]", false)]
    public void IsSingleJsonValue_AcceptsExactlyOneValueWithinDepth(string json, bool expected) =>
        Assert.Equal(expected, JsonProofRule.IsSingleValue(Encoding.UTF8.GetBytes(json), maxDepth: 3));
}
