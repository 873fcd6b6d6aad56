using System.Net;
using System.Text;
using System.Text.Json;
using ProofStorage.Core.C2pa;
using ProofStorage.Testing;
using static ProofStorage.IntegrationTests.C2pa.ManifestStoreApiTests;

namespace ProofStorage.IntegrationTests.C2pa;

/// <summary>
/// The C2PA Soft Binding Resolution API under /c2pa/v1, shapes as published (C2PA 2.4, API 2.3.0): supported algorithms,
/// matches by binding (GET and POST), by content (not supported: 415), the decoupled profile's POST /manifests and
/// POST /bindings, fetch and delete by manifest id; and the same access rules as every read and write.
/// </summary>
public sealed class SoftBindingApiTests : IDisposable
{
    private readonly ProofStorageApiFactory _factory = new();
    private readonly HttpClient _client;

    public SoftBindingApiTests()
    {
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task SupportedAlgorithms_ListsTheC2paListByKind_InThePublishedShape()
    {
        using var response = await _client.GetAsync("/c2pa/v1/services/supportedAlgorithms");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(["watermarks", "fingerprints"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(SoftBindingAlgorithms.All.Where(a => a.Type == SoftBindingAlgorithmType.Watermark).Select(a => a.Alg),
            body.GetProperty("watermarks").EnumerateArray().Select(e => e.GetProperty("alg").GetString()));
        Assert.Equal(["io.iscc.v0", "com.adobe.icn.dense", "com.digicaps.fingerprint.1"],
            body.GetProperty("fingerprints").EnumerateArray().Select(e => e.GetProperty("alg").GetString()));
        Assert.All(body.GetProperty("watermarks").EnumerateArray(), e => Assert.Equal(["alg"], e.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task ByBinding_GetAndPost_ReturnTheManifestIdsCarryingTheValue_UpToMaxResults_NeverCached()
    {
        var labels = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var label = Jumbf.NewLabel();
            labels.Add(label);
            await StoreAsync(_client, $"/v1/proofs?imageHash={TestKeys.ImageHash("by-binding-" + i)}", Jumbf.ManifestStoreBytes(label, 0, (Watermark, [7, 7, 7])));
        }

        await StoreAsync(_client, $"/v1/proofs?imageHash={TestKeys.ImageHash("by-binding-other")}", Jumbf.ManifestStoreBytes(null, 0, (Watermark, [8])));

        using var get = await _client.GetAsync($"/c2pa/v1/matches/byBinding?alg={Watermark}&value=BwcH");
        using var post = await _client.PostAsync("/c2pa/v1/matches/byBinding?maxResults=2",
            new StringContent($"{{\"alg\":\"{Watermark}\",\"value\":\"BwcH\"}}", Encoding.UTF8, "application/json"));
        using var none = await _client.GetAsync("/c2pa/v1/matches/byBinding?alg=com.adobe.trustmark.Q&value=BwcH");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("no-store", Cdn.CdnHeaderTests.CacheControl(get));
        var matches = (await JsonAsync(get)).GetProperty("matches").EnumerateArray().ToList();
        Assert.Equal(labels.Order(StringComparer.Ordinal), matches.Select(m => m.GetProperty("manifestId").GetString()).Order(StringComparer.Ordinal));
        Assert.All(matches, m => Assert.Equal(["manifestId"], m.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(matches.Take(2).Select(m => m.GetProperty("manifestId").GetString()),
            (await JsonAsync(post)).GetProperty("matches").EnumerateArray().Select(m => m.GetProperty("manifestId").GetString()));
        Assert.Equal("{\"matches\":[]}", await none.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/c2pa/v1/matches/byBinding?value=BwcH", "alg")]
    [InlineData("/c2pa/v1/matches/byBinding?alg=com.digimarc.validate.1", "value")]
    [InlineData("/c2pa/v1/matches/byBinding?alg=com.example.nope&value=BwcH", "alg")]
    [InlineData("/c2pa/v1/matches/byBinding?alg=com.digimarc.validate.1&value=B%20cH", "value")]
    [InlineData("/c2pa/v1/matches/byBinding?alg=com.digimarc.validate.1&value=BwcH&maxResults=0", "maxResults")]
    [InlineData("/c2pa/v1/matches/byBinding?alg=com.digimarc.validate.1&value=BwcH&maxResults=ten", "maxResults")]
    public async Task ByBinding_InvalidQuery_Is400NamingTheParameter(string path, string parameter)
    {
        using var response = await _client.GetAsync(path);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task ByBinding_GetWithAValueTooLongForAUrl_Is414_AndThePostFormTakesIt()
    {
        var value = Convert.ToBase64String(new byte[1800]);

        using var get = await _client.GetAsync($"/c2pa/v1/matches/byBinding?alg=io.iscc.v0&value={Uri.EscapeDataString(value)}");
        using var post = await _client.PostAsync("/c2pa/v1/matches/byBinding",
            new StringContent($"{{\"alg\":\"io.iscc.v0\",\"value\":\"{value}\"}}", Encoding.UTF8, "application/json"));

        await AssertProblemAsync(get, HttpStatusCode.RequestUriTooLong, "query-too-long");
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
    }

    [Fact]
    public async Task ByContent_Is415WithAProblem_NoFingerprintIsComputedHere()
    {
        using var content = new ByteArrayContent([0x89, 0x50, 0x4E, 0x47]);
        content.Headers.ContentType = new("image/png");

        using var response = await _client.PostAsync("/c2pa/v1/matches/byContent?alg=io.iscc.v0", content);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "content-matching-unsupported");
    }

    [Fact]
    public async Task PostManifests_StoresTheRawStore_AnswersItsActiveManifestId_ThenFetchAndDelete()
    {
        var label = Jumbf.NewLabel();
        var bytes = Jumbf.ManifestStoreBytes(label, 0, (Watermark, [5, 5]));

        using var stored = await PostAsync(_client, "/c2pa/v1/manifests?returnReceipt=true", bytes);
        using var again = await PostAsync(_client, "/c2pa/v1/manifests", bytes);

        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal($"{{\"manifestId\":\"{label}\"}}", await stored.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var fetched = await _client.GetAsync(ManifestPath(label));
        Assert.Equal(bytes, await fetched.Content.ReadAsByteArrayAsync());
        Assert.Single((await JsonAsync(await _client.GetAsync($"/c2pa/v1/matches/byBinding?alg={Watermark}&value=BQU="))).GetProperty("matches").EnumerateArray());

        using var deleted = await _client.DeleteAsync(ManifestPath(label));
        using var afterDelete = await _client.GetAsync(ManifestPath(label));
        using var deletedAgain = await _client.DeleteAsync(ManifestPath(label));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertProblemAsync(afterDelete, HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(deletedAgain, HttpStatusCode.NotFound, "not-found");
        Assert.Equal("{\"matches\":[]}", await (await _client.GetAsync($"/c2pa/v1/matches/byBinding?alg={Watermark}&value=BQU=")).Content.ReadAsStringAsync());
        Assert.Empty(StoredFiles(_factory));
    }

    [Fact]
    public async Task PostManifests_Refuses_AnotherMediaType_ABadReceiptFlag_AndAStoreTheReaderRefuses()
    {
        var bytes = Jumbf.ManifestStoreBytes();

        using var json = await PostAsync(_client, "/c2pa/v1/manifests", bytes, "application/json");
        using var receipt = await PostAsync(_client, "/c2pa/v1/manifests?returnReceipt=please", bytes);
        using var broken = await PostAsync(_client, "/c2pa/v1/manifests", bytes[..^1]);

        await AssertProblemAsync(json, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await AssertProblemAsync(receipt, HttpStatusCode.BadRequest, "validation");
        await AssertProblemAsync(broken, HttpStatusCode.BadRequest, "invalid-manifest-store");
        Assert.Empty(StoredFiles(_factory));
    }

    [Fact]
    public async Task PostBindings_BindsAValueTheStoreCarries_404sAnythingElse_400sAMalformedBody()
    {
        var label = Jumbf.NewLabel();
        await StoreAsync(_client, $"/v1/proofs?imageHash={TestKeys.ImageHash("bindings")}", Jumbf.ManifestStoreBytes(label, 0, (Watermark, [3, 3])));

        using var bound = await BindAsync("AwM=", label);
        using var notCarried = await BindAsync("BAQ=", label);
        using var unknownManifest = await BindAsync("AwM=", Jumbf.NewLabel());
        using var malformed = await BindAsync("not base64", "urn:nope");
        using var put = await _client.PutAsync("/c2pa/v1/bindings", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, bound.StatusCode);
        await AssertProblemAsync(notCarried, HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(unknownManifest, HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "validation");
        Assert.Equal(["bindingValue", "manifestId"], (await JsonAsync(malformed)).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
        await AssertProblemAsync(put, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    [Theory]
    [InlineData("urn:c2pa:not-a-uuid")]
    [InlineData("proofs")]
    public async Task AManifestIdThatIsNotALabel_Is400(string manifestId)
    {
        using var get = await _client.GetAsync($"/c2pa/v1/manifests/{manifestId}");
        using var delete = await _client.DeleteAsync($"/c2pa/v1/manifests/{manifestId}");

        await AssertProblemAsync(get, HttpStatusCode.BadRequest, "validation");
        await AssertProblemAsync(delete, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Access_ReadsNeedAReadKeyUnlessAnonymousReadsAreOn_StoresNeedWrite_DeletesNeedDelete()
    {
        var readOnlyKey = "psk_read-only-" + Guid.NewGuid().ToString("N");
        using var keyed = new ProofStorageApiFactory();
        keyed.Settings["ProofStorage:Auth:Keys:reader:Hash"] = TestKeys.ApiKeyHash(readOnlyKey);
        keyed.Settings["ProofStorage:Auth:Keys:reader:Scopes:0"] = "proofs:read";
        var label = Jumbf.NewLabel();
        using var writer = keyed.CreateClient();
        await StoreAsync(writer, "/v1/proofs", Jumbf.ManifestStoreBytes(label));
        using var anonymous = keyed.CreateAnonymousClient();
        using var reader = keyed.CreateClient(readOnlyKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(ManifestPath(label))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/c2pa/v1/matches/byBinding?alg={Watermark}&value=AA==")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(ManifestPath(label))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(reader, "/c2pa/v1/manifests", Jumbf.ManifestStoreBytes())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/c2pa/v1/bindings", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync(ManifestPath(label))).StatusCode);

        using var open = new ProofStorageApiFactory(keyed.DataPath);
        open.Settings["ProofStorage:Auth:AllowAnonymousReads"] = "true";
        using var anyone = open.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync(ManifestPath(label))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/c2pa/v1/services/supportedAlgorithms")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(anyone, "/c2pa/v1/manifests", Jumbf.ManifestStoreBytes())).StatusCode);
    }

    private Task<HttpResponseMessage> BindAsync(string value, string manifestId) =>
        _client.PostAsync("/c2pa/v1/bindings", new StringContent(
            JsonSerializer.Serialize(new { bindingValue = value, manifestId }), Encoding.UTF8, "application/json"));
}
