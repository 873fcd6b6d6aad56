using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Dedup;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.C2pa;

/// <summary>
/// Manifest stores as first-class proofs over the real HTTP pipeline: <c>POST /v1/proofs</c> with <c>application/c2pa</c>
/// and the raw JUMBF body, served back byte for byte with the caching headers of every proof, and refused with a
/// ProblemDetails (nothing stored) when the body, a binding or the size is wrong.
/// </summary>
public sealed class ManifestStoreApiTests : IDisposable
{
    internal const string Watermark = "com.digimarc.validate.1";
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }
    }

    [Fact]
    public async Task Store_RawManifestStore_IsServedBackByteIdentical_WithStrongETagImmutableCachingHeadAnd304()
    {
        var factory = Host();
        var client = factory.CreateClient();
        var label = Jumbf.NewLabel();
        var bytes = Jumbf.ManifestStoreBytes(label, 300, (Watermark, [1, 2, 3, 4]));
        var hash = TestKeys.ImageHash("raw-store");

        using var created = await PostAsync(client, $"/v1/proofs?imageHash={hash}&metadata.source=sign%C3%A9d", bytes);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await JsonAsync(created);
        var proofId = body.GetProperty("proofId").GetString()!;
        Assert.Equal($"/v1/proofs/{proofId}", created.Headers.Location!.ToString());
        Assert.Equal(label, body.GetProperty("manifestId").GetString());
        Assert.Equal(hash, body.GetProperty("imageHash").GetString());
        Assert.False(body.GetProperty("deduplicated").GetBoolean());

        using var manifest = await client.GetAsync($"/v1/proofs/{proofId}/manifest");
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal("application/c2pa", manifest.Content.Headers.ContentType!.ToString());
        Assert.Equal(bytes, await manifest.Content.ReadAsByteArrayAsync());
        Assert.False(manifest.Headers.ETag!.IsWeak);
        Assert.Equal("private, max-age=31536000, immutable", Cdn.CdnHeaderTests.CacheControl(manifest));
        Assert.Equal($"</v1/proofs/{proofId}/manifest>; rel=\"c2pa-manifest\"", Assert.Single(manifest.Headers.GetValues("Link")));

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v1/proofs/{proofId}/manifest"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(manifest.Headers.ETag, head.Headers.ETag);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/proofs/{proofId}/manifest");
        conditional.Headers.IfNoneMatch.Add(manifest.Headers.ETag);
        using var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        // The same bytes through the C2PA fetch route, with the same representation's tag.
        using var byId = await client.GetAsync(ManifestPath(label));
        Assert.Equal(bytes, await byId.Content.ReadAsByteArrayAsync());
        Assert.Equal(manifest.Headers.ETag, byId.Headers.ETag);
        Assert.Equal("application/c2pa", byId.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task TheRecord_OfARawStore_IsTheJsonEveryProofHas_WithItsIdentifiers_AndNeverTheStoredGzip()
    {
        var client = Host().CreateClient();
        var label = Jumbf.NewLabel();
        var bytes = Jumbf.ManifestStoreBytes(label, 0, (Watermark, [1, 2, 3, 4]));
        var hash = TestKeys.ImageHash("raw-record");
        var proofId = await StoreAsync(client, $"/v1/proofs?imageHash={hash}&softBinding=com.adobe.trustmark.Q:qg%3D%3D", bytes);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/proofs/{proofId}");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var record = await client.SendAsync(request);
        using var byImage = await client.GetAsync($"/v1/proofs/by-image/{hash}");

        Assert.Equal(HttpStatusCode.OK, record.StatusCode);
        Assert.Empty(record.Content.Headers.ContentEncoding);
        var json = await JsonAsync(record);
        Assert.Equal(Convert.ToBase64String(bytes), json.GetProperty("proof").GetString());
        Assert.Equal("application/c2pa", json.GetProperty("proofMediaType").GetString());
        Assert.Equal(label, json.GetProperty("manifestId").GetString());
        Assert.Equal(["com.adobe.trustmark.Q:qg==", $"{Watermark}:AQIDBA=="],
            json.GetProperty("softBindings").EnumerateArray().Select(b => $"{b.GetProperty("alg").GetString()}:{b.GetProperty("value").GetString()}"));
        Assert.Equal(await record.Content.ReadAsByteArrayAsync(), await byImage.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Store_SameImageAgain_IsDeduplicated_AndWithoutImageHash_IsNamedByTheManifestId()
    {
        var client = Host().CreateClient();
        var label = Jumbf.NewLabel();
        var bytes = Jumbf.ManifestStoreBytes(label);
        var hash = TestKeys.ImageHash("raw-dedup");
        await StoreAsync(client, $"/v1/proofs?imageHash={hash}", bytes);

        using var again = await PostAsync(client, $"/v1/proofs?imageHash={hash}", bytes);
        using var unnamed = await PostAsync(client, "/v1/proofs", bytes);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await JsonAsync(again)).GetProperty("deduplicated").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, unnamed.StatusCode);
        var unnamedBody = await JsonAsync(unnamed);
        Assert.Equal(DedupProtocol.ProofIdForManifest(label), unnamedBody.GetProperty("proofId").GetString());
        Assert.False(unnamedBody.TryGetProperty("imageHash", out _));
    }

    [Fact]
    public async Task ReturnActiveManifest_OnATwoManifestStore_IsAStoreOfTheActiveOneOnly_WithItsOwnETag()
    {
        var client = Host().CreateClient();
        var parent = Jumbf.NewLabel();
        var active = Jumbf.NewLabel();
        var bytes = Jumbf.Store(Jumbf.Manifest(parent), Jumbf.Manifest(active));
        await StoreAsync(client, $"/v1/proofs?imageHash={TestKeys.ImageHash("two-manifests")}", bytes);

        using var full = await client.GetAsync(ManifestPath(active));
        using var activeOnly = await client.GetAsync(ManifestPath(active) + "?returnActiveManifest=true");
        using var notBoolean = await client.GetAsync(ManifestPath(active) + "?returnActiveManifest=yes");
        using var byParent = await client.GetAsync(ManifestPath(parent));

        Assert.Equal(bytes, await full.Content.ReadAsByteArrayAsync());
        var store = ManifestStore.Parse(await activeOnly.Content.ReadAsByteArrayAsync());
        Assert.Equal([active], store.Manifests.Select(m => m.Label));
        Assert.NotEqual(full.Headers.ETag, activeOnly.Headers.ETag);
        Assert.Equal("application/c2pa", activeOnly.Content.Headers.ContentType!.ToString());
        await AssertProblemAsync(notBoolean, HttpStatusCode.BadRequest, "validation");
        // The manifest id is the active manifest's: an ingredient's manifest is not what the store is found by.
        await AssertProblemAsync(byParent, HttpStatusCode.NotFound, "not-found");
    }

    public static TheoryData<string, string, byte[], string> BadStores() => new()
    {
        { "not JUMBF", "", "{\"claim\":1}"u8.ToArray(), "invalid-manifest-store" },
        { "a JUMBF box that is not a manifest store", "", Jumbf.Box("json", "{}"u8), "invalid-manifest-store" },
        { "truncated", "", Jumbf.ManifestStoreBytes()[..60], "invalid-manifest-store" },
        { "trailing bytes", "", [.. Jumbf.ManifestStoreBytes(), 0], "invalid-manifest-store" },
        { "unknown alg", "&softBinding=com.example.watermark.1:AAEC", Jumbf.ManifestStoreBytes(), "validation" },
        { "value with a space (an unencoded +)", "&softBinding=com.digimarc.validate.1:AA+C", Jumbf.ManifestStoreBytes(), "validation" },
        { "value not base64", "&softBinding=com.digimarc.validate.1:%%%%", Jumbf.ManifestStoreBytes(), "validation" },
        { "binding without alg", "&softBinding=AAEC", Jumbf.ManifestStoreBytes(), "validation" },
        { "bad image hash", "&imageHash=abc", Jumbf.ManifestStoreBytes(), "validation" },
        { "unknown parameter", "&softbindings=x", Jumbf.ManifestStoreBytes(), "validation" },
        { "empty body", "", [], "malformed-request" },
    };

    [Theory]
    [MemberData(nameof(BadStores))]
    public async Task Store_BadInput_IsA4xxProblem_AndNothingIsStored(string what, string query, byte[] body, string type)
    {
        var factory = Host();
        var client = factory.CreateClient();

        using var response = await PostAsync(client, $"/v1/proofs?metadata.case=x{query}", body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, type, what);
        Assert.Empty(StoredFiles(factory));
    }

    [Fact]
    public async Task Store_OverTheBodyLimit_Is413_AndOverTheRecordLimit_Is413TooLarge_NothingStored()
    {
        var bodyLimited = Host(("ProofStorage:Api:MaxRequestBodyBytes", "4096"));
        var recordLimited = Host(("ProofStorage:MaxRecordBytes", "4096"));
        var bytes = Jumbf.ManifestStoreBytes(null, 5000);

        using var overBody = await PostAsync(bodyLimited.CreateClient(), "/v1/proofs", bytes);
        using var overRecord = await PostAsync(recordLimited.CreateClient(), "/v1/proofs", bytes);

        await AssertProblemAsync(overBody, HttpStatusCode.RequestEntityTooLarge, "request-too-large");
        await AssertProblemAsync(overRecord, HttpStatusCode.RequestEntityTooLarge, "too-large");
        Assert.Empty(StoredFiles(bodyLimited));
        Assert.Empty(StoredFiles(recordLimited));
    }

    [Fact]
    public async Task TheJsonContract_IsUnchanged_ABase64ManifestStoreStaysAnOpaqueDocument()
    {
        var client = Host().CreateClient();
        var bytes = Jumbf.ManifestStoreBytes(Jumbf.NewLabel());
        using var response = await client.PostAsync("/v1/proofs", new StringContent(
            $"{{\"imageHash\":\"{TestKeys.ImageHash("json-c2pa")}\",\"proof\":\"{Convert.ToBase64String(bytes)}\",\"proofMediaType\":\"application/c2pa\"}}",
            Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.False(body.TryGetProperty("manifestId", out _));
        using var manifest = await client.GetAsync($"/v1/proofs/{body.GetProperty("proofId").GetString()}/manifest");
        Assert.Equal(bytes, await manifest.Content.ReadAsByteArrayAsync());
    }

    internal static string ManifestPath(string label) => $"/c2pa/v1/manifests/{label}";

    internal static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, byte[] body, string contentType = "application/c2pa")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await client.PostAsync(path, content);
    }

    internal static async Task<string> StoreAsync(HttpClient client, string path, byte[] body)
    {
        using var response = await PostAsync(client, path, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await JsonAsync(response)).GetProperty("proofId").GetString()!;
    }

    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string slug, string? what = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{what}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal("urn:proofstorage:problem:" + slug, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
    }

    /// <summary>Every object the filesystem provider holds (proofs and index objects alike).</summary>
    internal static IReadOnlyList<string> StoredFiles(ProofStorageApiFactory factory)
    {
        // Objects only: the provider's lock files (.locks/, taken by conditional writes and deletes) are not stored data.
        var root = Path.Combine(factory.DataPath, "proofs");
        return Directory.Exists(root)
            ? [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories).Where(f => !Path.GetRelativePath(root, f).StartsWith(".locks", StringComparison.Ordinal))]
            : [];
    }

    private ProofStorageApiFactory Host(params (string Key, string? Value)[] settings)
    {
        var factory = new ProofStorageApiFactory();
        foreach (var (key, value) in settings)
        {
            factory.Settings[key] = value;
        }

        _owned.Add(factory);
        return factory;
    }
}
