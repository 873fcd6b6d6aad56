using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests;

/// <summary>Every v1 endpoint through the real HTTP pipeline on the embedded default (filesystem provider).</summary>
public sealed class ProofApiTests : IDisposable
{
    private readonly ProofStorageApiFactory _factory = new();
    private readonly HttpClient _client;

    public ProofApiTests()
    {
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task Post_NewImage_Returns201WithLocationAndBody()
    {
        var hash = TestKeys.ImageHash("new");

        using var response = await Store(hash, "{\"sig\":\"abc\"}");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await Json(response);
        var proofId = body.GetProperty("proofId").GetString()!;
        Assert.Equal($"/v1/proofs/{proofId}", response.Headers.Location!.OriginalString);
        Assert.Equal(hash, body.GetProperty("imageHash").GetString());
        Assert.False(body.GetProperty("deduplicated").GetBoolean());
        Assert.True(body.GetProperty("sizeBytes").GetInt64() > 0);
        Assert.True(body.GetProperty("storedBytes").GetInt64() > 0);
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("createdAt").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public async Task Post_SameImageTwice_Returns200DeduplicatedWithTheSameIdAndStoresNothingNew()
    {
        var hash = TestKeys.ImageHash("dup");
        using var first = await Store(hash, "{\"v\":1}");
        var filesBefore = ProofFiles().Length;

        using var second = await Store(hash, "{\"v\":2}");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var body = await Json(second);
        Assert.True(body.GetProperty("deduplicated").GetBoolean());
        Assert.Equal((await Json(first)).GetProperty("proofId").GetString(), body.GetProperty("proofId").GetString());
        Assert.Equal(filesBefore, ProofFiles().Length);
    }

    [Fact]
    public async Task Get_ReturnsTheProofByteForByteWithCachingHeaders()
    {
        const string proof = "{ \"claim\" : {\"b\":2, \"a\":1},\n \"sig\":\"\\u00e9é\", \"n\": 1.50 }";
        var (proofId, hash) = await StoreNew("bytes", proof);

        foreach (var path in new[] { $"/v1/proofs/{proofId}", $"/v1/proofs/by-image/{hash}" })
        {
            using var response = await _client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
            Assert.NotNull(response.Headers.ETag);
            Assert.False(response.Headers.ETag!.IsWeak);
            Assert.Contains("immutable", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains("\"proof\":" + proof + "}", text, StringComparison.Ordinal);
            using var document = JsonDocument.Parse(text);
            Assert.Equal(proofId, document.RootElement.GetProperty("proofId").GetString());
            Assert.Equal(hash, document.RootElement.GetProperty("imageHash").GetString());
            Assert.Equal("m", document.RootElement.GetProperty("metadata").GetProperty("k").GetString());
        }
    }

    [Fact]
    public async Task Get_IfNoneMatch_Returns304AndHeadReturnsHeadersOnly()
    {
        var (proofId, _) = await StoreNew("etag", "[1,2,3]");
        using var first = await _client.GetAsync($"/v1/proofs/{proofId}");
        var etag = first.Headers.ETag!;

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/proofs/{proofId}");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await _client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var other = new HttpRequestMessage(HttpMethod.Get, $"/v1/proofs/{proofId}");
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(other)).StatusCode);

        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v1/proofs/{proofId}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(etag, head.Headers.ETag);
        Assert.Equal(first.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_AcceptEncodingGzip_ServesTheStoredGzipBytes()
    {
        var (proofId, _) = await StoreNew("gzip", "{\"data\":\"" + new string('z', 5000) + "\"}");
        using var plain = await _client.GetAsync($"/v1/proofs/{proofId}");
        var plainBytes = await plain.Content.ReadAsByteArrayAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/proofs/{proofId}");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var gzipped = await _client.SendAsync(request);

        Assert.Equal("gzip", gzipped.Content.Headers.ContentEncoding.Single());
        Assert.NotEqual(plain.Headers.ETag, gzipped.Headers.ETag);
        var compressed = await gzipped.Content.ReadAsByteArrayAsync();
        Assert.True(compressed.Length < plainBytes.Length / 5);
        using var gunzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        await gunzip.CopyToAsync(output);
        Assert.Equal(plainBytes, output.ToArray());
    }

    [Fact]
    public async Task Delete_RemovesTheProof_ThenBothGets404AndStoringAgainCreatesIt()
    {
        var (proofId, hash) = await StoreNew("delete", "{\"v\":1}");

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/v1/proofs/{proofId}")).StatusCode);
        await AssertProblem(await _client.GetAsync($"/v1/proofs/{proofId}"), HttpStatusCode.NotFound);
        await AssertProblem(await _client.GetAsync($"/v1/proofs/by-image/{hash}"), HttpStatusCode.NotFound);
        await AssertProblem(await _client.DeleteAsync($"/v1/proofs/{proofId}"), HttpStatusCode.NotFound);

        using var again = await Store(hash, "{\"v\":2}");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Contains("{\"v\":2}", await _client.GetStringAsync($"/v1/proofs/{proofId}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UnknownId_Returns404Problem() =>
        await AssertProblem(await _client.GetAsync("/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA"), HttpStatusCode.NotFound);

    [Fact]
    public async Task Batch_OneBadItem_DoesNotFailTheOthers()
    {
        var existing = await StoreNew("batch-existing", "[0]");
        var body = "{\"items\":[" +
            $"{{\"imageHash\":\"{TestKeys.ImageHash("batch-1")}\",\"proof\":{{\"n\":1}}}}," +
            "{\"imageHash\":\"not-a-hash\",\"proof\":{}}," +
            $"{{\"imageHash\":\"{existing.Hash}\",\"proof\":[9]}}," +
            $"{{\"imageHash\":\"{TestKeys.ImageHash("batch-3")}\"}}" +
            "]}";

        using var response = await _client.PostAsync("/v1/proofs/batch", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await Json(response)).GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal([201, 400, 200, 400], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal(existing.ProofId, results[2].GetProperty("proofId").GetString());
        Assert.Contains("imageHash", results[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v1/proofs/{results[0].GetProperty("proofId").GetString()}")).StatusCode);
    }

    [Fact]
    public async Task Batch_OverTheItemLimit_IsRejected()
    {
        var items = string.Join(",", Enumerable.Range(0, 101).Select(i => $"{{\"imageHash\":\"{TestKeys.ImageHash("many" + i)}\",\"proof\":1}}"));

        using var response = await _client.PostAsync("/v1/proofs/batch", new StringContent("{\"items\":[" + items + "]}", Encoding.UTF8, "application/json"));

        await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Empty(ProofFiles());
    }

    [Fact]
    public async Task Lookup_ReturnsFoundRecordsAndMissingIds()
    {
        var a = await StoreNew("lookup-a", "{\"a\":1}");
        var b = await StoreNew("lookup-b", "{\"b\":2}");

        using var response = await _client.PostAsJsonAsync("/v1/proofs/lookup", new { proofIds = new[] { a.ProofId, "BBBBBBBBBBBBBBBBBBBBBB", b.ProofId } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        Assert.Equal([a.ProofId, b.ProofId], body.GetProperty("found").EnumerateArray().Select(r => r.GetProperty("proofId").GetString()));
        Assert.Equal("{\"b\":2}", body.GetProperty("found")[1].GetProperty("proof").GetRawText());
        Assert.Equal(["BBBBBBBBBBBBBBBBBBBBBB"], body.GetProperty("missing").EnumerateArray().Select(r => r.GetString()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    [InlineData(200_000)]
    public async Task Lookup_WithoutIds_OrOverTheIdLimit_IsRefusedForItsCount_BeforeAnIdIsRead(int count)
    {
        // The last id is not a proof id: were the ids read before they are counted, that would be the answer. Two million
        // ids (8 MB) read into strings first held 140 MB before the count refused them; bodies that large now meet the
        // query body limit (MaxQueryBodyBytes, InputLimitTests), so the largest case is 200,000 ids (800 KB) under it.
        var ids = string.Join(",", Enumerable.Repeat("\"a\"", Math.Max(0, count - 1)).Append(count == 0 ? "" : "\"not/an/id\""));

        using var response = await _client.PostAsync("/v1/proofs/lookup", new StringContent($"{{\"proofIds\":[{ids}]}}", Encoding.UTF8, "application/json"));

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains("Ask for 1-100 ids.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_ReportCacheDedupStorageAndCompression()
    {
        var (proofId, hash) = await StoreNew("stats", "{\"text\":\"" + new string('q', 2000) + "\"}");
        await Store(hash, "{}");
        await _client.GetAsync($"/v1/proofs/{proofId}");

        var stats = await Json(await _client.GetAsync("/v1/stats"));

        var memory = stats.GetProperty("cache").GetProperty("levels")[0];
        Assert.Equal("memory", memory.GetProperty("level").GetString());
        Assert.True(memory.GetProperty("hits").GetInt64() >= 1);
        Assert.True(memory.GetProperty("entries").GetInt64() >= 1);
        Assert.True(memory.GetProperty("bytes").GetInt64() > 0);
        Assert.Equal(2, stats.GetProperty("dedup").GetProperty("lookups").GetInt64());
        Assert.Equal(1, stats.GetProperty("dedup").GetProperty("hits").GetInt64());
        Assert.True(stats.GetProperty("dedup").GetProperty("bytesSaved").GetInt64() > 0);
        Assert.True(stats.GetProperty("compression").GetProperty("ratio").GetDouble() > 0.9);
        var provider = stats.GetProperty("storage")[0];
        Assert.Equal(1, provider.GetProperty("puts").GetInt64());
        Assert.Equal(0, provider.GetProperty("errors").GetInt64());
    }

    [Fact]
    public async Task Health_LiveAndReady_Answer200WithAJsonReport()
    {
        using var live = await _client.GetAsync("/health/live");
        using var ready = await _client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var report = await Json(ready);
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
        Assert.DoesNotContain(_factory.DataPath, await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swagger_DescribesEveryEndpointAndServesTheUi()
    {
        var document = await _client.GetStringAsync("/swagger/v1/swagger.json");
        using var ui = await _client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        foreach (var path in new[] { "/v1/proofs", "/v1/proofs/{proofId}", "/v1/proofs/by-image/{imageHash}", "/v1/proofs/batch", "/v1/proofs/lookup", "/v1/stats", "/health/live", "/health/ready" })
        {
            Assert.Contains($"\"{path}\"", document, StringComparison.Ordinal);
        }

        Assert.Contains("\"StoreProofRequest\"", document, StringComparison.Ordinal);
        Assert.Contains("example", document, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"imageHash\": ", "malformed")]
    [InlineData("{\"proof\": {}}", "imageHash")]
    [InlineData("{\"imageHash\": \"0000000000000000000000000000000000000000000000000000000000000000\"}", "proof")]
    [InlineData("{\"imageHash\": \"abc\", \"proof\": {}}", "imageHash")]
    [InlineData("{\"imageHash\": \"zz00000000000000000000000000000000000000000000000000000000000000\", \"proof\": {}}", "imageHash")]
    [InlineData("{\"imageHash\": \"0000000000000000000000000000000000000000000000000000000000000000\", \"proof\": null}", "proof")]
    [InlineData("{\"imageHash\": \"0000000000000000000000000000000000000000000000000000000000000000\", \"proof\": {}, \"metadata\": {\"k\": 1}}", "metadata")]
    [InlineData("{\"imageHash\": \"0000000000000000000000000000000000000000000000000000000000000000\", \"imageHash\": \"1111111111111111111111111111111111111111111111111111111111111111\", \"proof\": {}}", "JSON")]
    [InlineData("[]", "object")]
    [InlineData("", "empty")]
    public async Task Post_InvalidBody_Returns400ProblemAndStoresNothing(string body, string mentions)
    {
        using var response = await _client.PostAsync("/v1/proofs", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains(mentions, problem, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(ProofFiles());
    }

    [Fact]
    public async Task Post_WrongContentType_Returns415()
    {
        using var response = await _client.PostAsync("/v1/proofs", new StringContent("{}", Encoding.UTF8, "text/plain"));

        await AssertProblem(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Empty(ProofFiles());
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_Returns413AndStoresNothing()
    {
        using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Api:MaxRequestBodyBytes"] = "4096";
        using var client = factory.CreateClient();
        var body = $"{{\"imageHash\":\"{TestKeys.ImageHash("big")}\",\"proof\":\"{new string('x', 5000)}\"}}";

        using var response = await client.PostAsync("/v1/proofs", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.False(Directory.Exists(Path.Combine(factory.DataPath, "proofs", "proofs")));
    }

    [Fact]
    public async Task Post_ProofNestedTooDeep_Returns400()
    {
        var proof = new string('[', 80) + new string(']', 80);

        using var response = await Store(TestKeys.ImageHash("deep"), proof);

        await AssertProblem(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/v1/proofs/bad.id")]
    [InlineData("/v1/proofs/has%20space")]
    [InlineData("/v1/proofs/by-image/notahash")]
    public async Task Get_InvalidIdOrHash_Returns400Problem(string path) =>
        await AssertProblem(await _client.GetAsync(path), HttpStatusCode.BadRequest);

    [Fact]
    public async Task Get_IdLongerThan128Characters_Returns400() =>
        await AssertProblem(await _client.GetAsync("/v1/proofs/" + new string('a', 129)), HttpStatusCode.BadRequest);

    [Fact]
    public async Task Files_OnDisk_HoldNoPlaintextOfTheProof()
    {
        await StoreNew("plaintext", "{\"secret\":\"PLAINTEXT-MARKER-1234567890\",\"pad\":\"" + new string('p', 3000) + "\"}");

        var files = Directory.EnumerateFiles(_factory.DataPath, "*", SearchOption.AllDirectories).ToArray();
        Assert.NotEmpty(ProofFiles());
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(-1, bytes.AsSpan().IndexOf("PLAINTEXT-MARKER"u8));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("pppppppppppp"u8));
        }
    }

    private string[] ProofFiles()
    {
        var folder = Path.Combine(_factory.DataPath, "proofs", "proofs");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
    }

    private async Task<(string ProofId, string Hash)> StoreNew(string label, string proof)
    {
        var hash = TestKeys.ImageHash(label);
        using var response = await Store(hash, proof);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ((await Json(response)).GetProperty("proofId").GetString()!, hash);
    }

    private Task<HttpResponseMessage> Store(string hash, string proof) =>
        _client.PostAsync("/v1/proofs", new StringContent($"{{\"imageHash\":\"{hash}\",\"proof\":{proof},\"metadata\":{{\"k\":\"m\"}}}}", Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    internal static async Task<string> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        Assert.Equal((int)status, document.RootElement.GetProperty("status").GetInt32());
        Assert.True(document.RootElement.TryGetProperty("title", out _));
        return text;
    }
}
