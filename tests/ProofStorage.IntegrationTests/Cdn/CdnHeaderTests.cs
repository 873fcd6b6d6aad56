using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProofStorage.Api;
using ProofStorage.Core.Storage;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Cdn;

/// <summary>What a CDN and a C2PA reader see: caching and Link headers, the proof document route, the /url endpoint (filesystem provider).</summary>
public sealed class CdnHeaderTests : IDisposable
{
    private const string PrivateImmutable = "private, max-age=31536000, immutable";
    private const string PublicImmutable = "public, max-age=31536000, immutable";
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }
    }

    [Fact]
    public async Task Get_ReadsNeedAKey_CacheControlIsPrivateImmutableWithStrongETagAndManifestLink()
    {
        var client = Client(Host());
        var (proofId, hash) = await StoreAsync(client, "private", "{\"sig\":\"p\"}");

        foreach (var path in new[] { $"/v1/proofs/{proofId}", $"/v1/proofs/by-image/{hash}", $"/v1/proofs/{proofId}/manifest" })
        {
            using var response = await client.GetAsync(path);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(PrivateImmutable, CacheControl(response));
            Assert.False(response.Headers.ETag!.IsWeak);
            Assert.Equal($"</v1/proofs/{proofId}/manifest>; rel=\"c2pa-manifest\"", Assert.Single(response.Headers.GetValues("Link")));
        }
    }

    [Fact]
    public async Task Get_AnonymousReadsOn_CacheControlIsPublicAndLinkIsUnderThePublicBaseUrl()
    {
        var factory = Host(("ProofStorage:Auth:AllowAnonymousReads", "true"), ("ProofStorage:Cdn:PublicBaseUrl", "https://cdn.example.test/"));
        var (proofId, hash) = await StoreAsync(Client(factory), "public", "{\"sig\":\"q\"}");
        var anonymous = Track(factory.CreateAnonymousClient());

        foreach (var path in new[] { $"/v1/proofs/{proofId}", $"/v1/proofs/by-image/{hash}", $"/v1/proofs/{proofId}/manifest" })
        {
            using var response = await anonymous.GetAsync(path);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(PublicImmutable, CacheControl(response));
            Assert.Equal($"<https://cdn.example.test/v1/proofs/{proofId}/manifest>; rel=\"c2pa-manifest\"",
                Assert.Single(response.Headers.GetValues("Link")));
        }
    }

    [Fact]
    public async Task Get_IfNoneMatchAndHead_KeepCacheControlAndLinkHeaders()
    {
        var client = Client(Host());
        var (proofId, _) = await StoreAsync(client, "conditional", "[1]");
        foreach (var path in new[] { $"/v1/proofs/{proofId}", $"/v1/proofs/{proofId}/manifest" })
        {
            using var first = await client.GetAsync(path);
            using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
            conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
            using var notModified = await client.SendAsync(conditional);
            using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            foreach (var response in new[] { notModified, head })
            {
                Assert.Equal(first.Headers.ETag, response.Headers.ETag);
                Assert.Equal(PrivateImmutable, CacheControl(response));
                Assert.Equal(first.Headers.GetValues("Link"), response.Headers.GetValues("Link"));
            }
        }
    }

    [Fact]
    public async Task Manifest_JsonProof_ServesTheProofBytesExactlyAsSentWithItsOwnETag()
    {
        var client = Client(Host());
        const string proof = "{ \"claim\" : {\"b\":2, \"a\":1},\n \"sig\":\"\\u00e9é\", \"n\": 1.50 }";
        var (proofId, _) = await StoreAsync(client, "manifest-json", proof);

        using var record = await client.GetAsync($"/v1/proofs/{proofId}");
        using var manifest = await client.GetAsync($"/v1/proofs/{proofId}/manifest");

        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal("application/json", manifest.Content.Headers.ContentType!.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(proof), await manifest.Content.ReadAsByteArrayAsync());
        Assert.NotEqual(record.Headers.ETag, manifest.Headers.ETag);
    }

    [Fact]
    public async Task Manifest_BinaryMediaType_ServesTheDecodedBytesWithThatMediaType()
    {
        var client = Client(Host());
        var jumbf = new byte[] { 0, 0, 0, 0x20, (byte)'j', (byte)'u', (byte)'m', (byte)'b', 0xFF, 0x00, 0x80, 0x7F };
        var hash = TestKeys.ImageHash("manifest-c2pa");
        using var stored = await PostAsync(client,
            $"{{\"imageHash\":\"{hash}\",\"proof\":\"{Convert.ToBase64String(jumbf)}\",\"proofMediaType\":\"Application/C2PA\"}}");
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        var proofId = (await JsonAsync(stored)).GetProperty("proofId").GetString()!;

        using var manifest = await client.GetAsync($"/v1/proofs/{proofId}/manifest");
        using var record = await client.GetAsync($"/v1/proofs/{proofId}");

        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal("application/c2pa", manifest.Content.Headers.ContentType!.ToString());
        Assert.Equal(jumbf, await manifest.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/c2pa", (await JsonAsync(record)).GetProperty("proofMediaType").GetString());
    }

    [Theory]
    [InlineData("\"proof\":{\"a\":1},\"proofMediaType\":\"application/c2pa\"")]
    [InlineData("\"proof\":\"not base64!\",\"proofMediaType\":\"application/c2pa\"")]
    [InlineData("\"proof\":{\"a\":1},\"proofMediaType\":\"application/json; charset=utf-8\"")]
    [InlineData("\"proof\":{\"a\":1},\"proofMediaType\":\"json\"")]
    [InlineData("\"proof\":{\"a\":1},\"proofMediaType\":7")]
    public async Task Store_InvalidProofMediaType_Returns400AndStoresNothing(string fields)
    {
        var client = Client(Host());
        var hash = TestKeys.ImageHash("bad-media-type:" + fields);

        using var response = await PostAsync(client, $"{{\"imageHash\":\"{hash}\",{fields}}}");

        var problem = await ProofApiTests.AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains("proofMediaType", problem, StringComparison.Ordinal);
        await ProofApiTests.AssertProblem(await client.GetAsync($"/v1/proofs/by-image/{hash}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Url_NoPublicBaseUrl_ReturnsThisServicesUrlOfTheRecord()
    {
        var client = Client(Host());
        var (proofId, _) = await StoreAsync(client, "url-service", "{}");

        using var response = await client.GetAsync($"/v1/proofs/{proofId}/url");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        var body = await JsonAsync(response);
        Assert.Equal("service", body.GetProperty("kind").GetString());
        Assert.Equal($"http://localhost/v1/proofs/{proofId}", body.GetProperty("url").GetString());
        Assert.False(body.TryGetProperty("expiresAt", out var expires) && expires.ValueKind != JsonValueKind.Null);
        using var followed = await client.GetAsync(body.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
    }

    [Fact]
    public async Task Url_PublicBaseUrl_ReturnsTheCdnUrlAndNoExpiry()
    {
        var client = Client(Host(("ProofStorage:Cdn:PublicBaseUrl", "https://cdn.example.test/base/")));
        var (proofId, _) = await StoreAsync(client, "url-cdn", "{}");

        var body = await JsonAsync(await client.GetAsync($"/v1/proofs/{proofId}/url?expiresIn=60"));

        Assert.Equal("cdn", body.GetProperty("kind").GetString());
        Assert.Equal($"https://cdn.example.test/base/v1/proofs/{proofId}", body.GetProperty("url").GetString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("soon")]
    [InlineData("")]
    public async Task Url_InvalidExpiresIn_Returns400ProblemDetails(string expiresIn)
    {
        var client = Client(Host());
        var (proofId, _) = await StoreAsync(client, "url-invalid-" + expiresIn, "{}");

        var problem = await ProofApiTests.AssertProblem(await client.GetAsync($"/v1/proofs/{proofId}/url?expiresIn={expiresIn}"), HttpStatusCode.BadRequest);

        Assert.Contains("expiresIn", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Url_UnknownProof_Returns404AndReadsNeedTheReadScope()
    {
        var factory = Host();
        await ProofApiTests.AssertProblem(await Client(factory).GetAsync("/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA/url"), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Track(factory.CreateAnonymousClient()).GetAsync("/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA/url")).StatusCode);
    }

    [Fact]
    public void Startup_CdnModeWithoutPublicBaseUrl_RefusesToStartWithAClearMessage()
    {
        var factory = Host(("ProofStorage:Cdn:UrlMode", "Cdn"));

        var error = factory.ValidateStartup();

        Assert.Contains("ProofStorage:Cdn:UrlMode is Cdn but PublicBaseUrl is not set", Assert.IsType<OptionsValidationException>(error).Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Presigned", null, null, null, "cannot sign URLs")]
    [InlineData("Cdn", null, null, null, "PublicBaseUrl is not set")]
    [InlineData("Auto", "ftp://cdn.example.test", null, null, "must be an absolute http(s) URL")]
    [InlineData("Auto", "https://cdn.example.test/?x=1", null, null, "must be an absolute http(s) URL")]
    [InlineData("Auto", "https://user:pw@cdn.example.test", null, null, "must be an absolute http(s) URL")]
    [InlineData("Auto", null, "00:00:00", "01:00:00", "PresignedUrlExpiry must be at least 00:00:01")]
    [InlineData("Auto", null, "02:00:00", "01:00:00", "PresignedUrlExpiry must be at least 00:00:01 and at most MaxPresignedUrlExpiry")]
    [InlineData("Auto", null, "00:15:00", "8.00:00:00", "MaxPresignedUrlExpiry must be between 00:00:01 and 7.00:00:00")]
    public void Validate_InvalidCdnSettings_FailWithAMessageNamingTheSetting(string mode, string? baseUrl, string? expiry, string? max, string message)
    {
        // A host with the filesystem provider: the validator asks the primary's provider type whether it can sign URLs.
        var factory = Host();
        var options = new CdnOptions
        {
            UrlMode = Enum.Parse<ProofUrlMode>(mode),
            PublicBaseUrl = baseUrl,
            PresignedUrlExpiry = expiry is null ? TimeSpan.FromMinutes(15) : TimeSpan.Parse(expiry, CultureInfo.InvariantCulture),
            MaxPresignedUrlExpiry = max is null ? TimeSpan.FromHours(1) : TimeSpan.Parse(max, CultureInfo.InvariantCulture),
        };

        var result = Validator(factory.Services).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///tmp/hook", "00:00:05", "PurgeWebhookUrl must be an absolute http(s) URL")]
    [InlineData("https://ops.example.test/purge", "00:05:00", "PurgeWebhookTimeout must be between")]
    public void Validate_InvalidPurgeWebhookSettings_Fail(string url, string timeout, string message)
    {
        var options = new CdnOptions { PurgeWebhookUrl = url, PurgeWebhookTimeout = TimeSpan.Parse(timeout, CultureInfo.InvariantCulture) };

        var result = Validator(Host().Services).Validate(null, options);

        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(Validator(Host().Services).Validate(null, new CdnOptions()).Succeeded);

    [Fact]
    public void Validate_PresignedModeOnAnS3Primary_SucceedsWithoutBuildingAProvider()
    {
        // No server answers at this address: the decision comes from the configured type alone.
        var factory = Host(("ProofStorage:Storage:Primary:Type", "S3"), ("ProofStorage:Storage:Primary:Bucket", "proofs"),
            ("ProofStorage:Storage:Primary:ServiceUrl", "http://127.0.0.1:9"));

        Assert.True(Validator(factory.Services).Validate(null, new CdnOptions { UrlMode = ProofUrlMode.Presigned }).Succeeded);
    }

    private static CdnOptionsValidator Validator(IServiceProvider services) =>
        new(services.GetRequiredService<IOptionsMonitor<StorageProviderOptions>>(), services.GetServices<IStorageProviderFactory>());

    /// <summary>The header as sent (the typed view reorders directives).</summary>
    internal static string CacheControl(HttpResponseMessage response) => response.Headers.NonValidated["Cache-Control"].ToString();

    internal static async Task<(string ProofId, string Hash)> StoreAsync(HttpClient client, string label, string proof)
    {
        var hash = TestKeys.ImageHash(label);
        using var response = await PostAsync(client, $"{{\"imageHash\":\"{hash}\",\"proof\":{proof}}}");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ((await JsonAsync(response)).GetProperty("proofId").GetString()!, hash);
    }

    internal static Task<HttpResponseMessage> PostAsync(HttpClient client, string json) =>
        client.PostAsync("/v1/proofs", new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")));

    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private ProofStorageApiFactory Host(params (string Key, string? Value)[] settings)
    {
        var factory = Track(new ProofStorageApiFactory());
        // A null would bind as an empty value, not as "unset".
        foreach (var (key, value) in settings.Where(s => s.Value is not null))
        {
            factory.Settings[key] = value;
        }

        return factory;
    }

    private HttpClient Client(ProofStorageApiFactory factory) => Track(factory.CreateClient());

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
