using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Security;

/// <summary>Each input limit answers with its own ProblemDetails that says what to fix.</summary>
public sealed class InputLimitTests
{
    public static TheoryData<string, string, int, string> Violations()
    {
        var hash = TestKeys.ImageHash("limits");
        return new()
        {
            { "deep", $"{{\"imageHash\":\"{hash}\",\"proof\":{new string('[', 30)}{new string(']', 30)}}}", 400, "nested deeper" },
            { "invalid-utf8", "{\"imageHash\":\"" + hash + "\",\"proof\":\"\u00ff\u00fe\"}", 400, "not valid UTF-8" },
            { "lone-surrogate-name", $"{{\"imageHash\":\"{hash}\",\"proof\":{{\"\\ud800\":1}}}}", 400, "not valid Unicode" },
            { "metadata-control", $"{{\"imageHash\":\"{hash}\",\"proof\":1,\"metadata\":{{\"a\\u0007\":\"v\"}}}}", 400, "control characters" },
            { "metadata-count", $"{{\"imageHash\":\"{hash}\",\"proof\":1,\"metadata\":{{{string.Join(',', Enumerable.Range(0, 33).Select(i => $"\"k{i}\":\"v\""))}}}}}", 400, "more than 32 entries" },
            { "too-large", $"{{\"imageHash\":\"{hash}\",\"proof\":\"{new string('x', 70_000)}\"}}", 413, "exceeds the limit of 65536 bytes" },
            { "bad-hash", "{\"imageHash\":\"abc\",\"proof\":1}", 400, "64 hexadecimal characters" },
        };
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task EachViolation_IsAClearProblem_AndStoresNothing(string name, string body, int status, string detail)
    {
        await using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Api:MaxRequestBodyBytes"] = "65536";
        factory.Settings["ProofStorage:MaxProofDepth"] = "16";
        using var client = factory.CreateClient();
        // "invalid-utf8" is sent as Latin-1 bytes under a UTF-8 label.
        var bytes = name == "invalid-utf8" ? Encoding.Latin1.GetBytes(body) : Encoding.UTF8.GetBytes(body);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync("/v1/proofs", content);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(SecurityTestHost.StoredFiles(Path.Combine(factory.DataPath, "proofs")));
    }

    [Theory]
    [InlineData("/v1/proofs/lookup", "{\"ids\":[\"AAAAAAAAAAAAAAAAAAAAAA\"]")]
    [InlineData("/c2pa/v1/matches/byBinding", "{\"alg\":\"com.example.wm\",\"value\":\"AAAA\"")]
    [InlineData("/c2pa/v1/bindings", "{\"manifestId\":\"urn:c2pa:5f1c8e2a-3b7d-4c9e-9a1f-2d6b8e4c7a10\",\"alg\":\"com.example.wm\",\"value\":\"AAAA\"")]
    public async Task ABodyParsedIntoADocument_HasTheQueryLimit_AStoreKeepsTheRequestLimit(string path, string json)
    {
        await using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Api:MaxQueryBodyBytes"] = "4096";
        using var client = factory.CreateClient();

        // The same JSON padded with whitespace to just under and just over the limit: only the size differs.
        using var under = await client.PostAsync(path, Padded(json, 4096));
        using var over = await client.PostAsync(path, Padded(json, 4097));
        using var store = await client.PostAsync("/v1/proofs", Padded($"{{\"imageHash\":\"{TestKeys.ImageHash("query-limit")}\",\"proof\":1", 8192));

        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, under.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Contains("exceeds the limit of 4096 bytes", await over.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, store.StatusCode);
    }

    private static ByteArrayContent Padded(string unclosedJson, int length)
    {
        var bytes = Encoding.UTF8.GetBytes(unclosedJson + new string(' ', length - Encoding.UTF8.GetByteCount(unclosedJson) - 1) + "}");
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    [Fact]
    public async Task NotFoundAndInvalidIds_AreProblems()
    {
        await using var factory = new ProofStorageApiFactory();
        using var client = factory.CreateClient();

        using var invalid = await client.GetAsync("/v1/proofs/" + new string('a', 129));
        using var missing = await client.GetAsync("/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA");

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var problem = JsonDocument.Parse(await invalid.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.TryGetProperty("errors", out _));
    }
}
