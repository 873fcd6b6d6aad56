using System.Text;
using System.Text.Json;
using ProofStorage.Api.Http;

namespace ProofStorage.IntegrationTests.Http;

/// <summary>How a body the parser refused is told apart: too deep or not JSON, by the reader's own depth count.</summary>
public sealed class JsonRequestReaderTests
{
    [Theory]
    [InlineData("[[[1]]]", 3, false)]
    [InlineData("[[[[1]]]]", 3, true)]
    [InlineData("{\"a\":{\"b\":{\"c\":{}}}}", 3, true)]
    [InlineData("{\"a\":{\"b\":{\"c\":1}}}", 3, false)]
    [InlineData("[[[[", 3, true)]
    [InlineData("[1,,[[[[2]]]]]", 3, false)]
    [InlineData("{\"a\" 1}", 3, false)]
    public void NestsDeeperThan_SaysWhetherTheLimitWasExceededBeforeAnySyntaxError(string json, int maxDepth, bool deeper)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.Equal(deeper, JsonRequestReader.NestsDeeperThan(bytes, maxDepth));

        // It agrees with the parser: whenever it says "deeper", parsing at that limit fails.
        if (deeper)
        {
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = maxDepth }));
        }
    }
}
