using System.Net;
using ProofStorage.Testing;
using static ProofStorage.IntegrationTests.C2pa.ManifestStoreApiTests;

namespace ProofStorage.IntegrationTests.C2pa;

/// <summary>
/// Browsers are verifiers too: the manifest routes and the Soft Binding Resolution API's reads answer CORS (simple requests
/// and preflight) while reads are anonymous, as ProofStorage:Cors says; other routes never, and keyed reads never.
/// </summary>
public sealed class ManifestCorsTests : IDisposable
{
    private const string Origin = "https://verify.example.test";
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }
    }

    [Fact]
    public async Task AnonymousReads_ManifestRoutes_AllowAnyOrigin_AndExposeETagAndLink_OtherRoutesDoNot()
    {
        var (factory, label, proofId) = await HostWithManifestAsync(("ProofStorage:Auth:AllowAnonymousReads", "true"));
        var browser = Track(factory.CreateAnonymousClient());

        foreach (var path in new[] { ManifestPath(label), $"/v1/proofs/{proofId}/manifest", "/c2pa/v1/services/supportedAlgorithms",
            $"/c2pa/v1/matches/byBinding?alg={Watermark}&value=AQI=" })
        {
            using var response = await SendAsync(browser, HttpMethod.Get, path);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
            Assert.Equal(["ETag", "Link"], Header(response, "Access-Control-Expose-Headers")!.Split(','));
        }

        using var record = await SendAsync(browser, HttpMethod.Get, $"/v1/proofs/{proofId}");
        Assert.Equal(HttpStatusCode.OK, record.StatusCode);
        Assert.Null(Header(record, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AnonymousReads_Preflight_IsAnsweredBeforeAuthentication_WithTheMethodsHeadersAndMaxAge()
    {
        var (factory, label, _) = await HostWithManifestAsync(("ProofStorage:Auth:AllowAnonymousReads", "true"), ("ProofStorage:Cors:PreflightMaxAge", "00:10:00"));
        var browser = Track(factory.CreateAnonymousClient());

        using var preflight = await SendAsync(browser, HttpMethod.Options, "/c2pa/v1/matches/byBinding", "POST", "content-type");
        using var conditional = await SendAsync(browser, HttpMethod.Options, ManifestPath(label), "GET", "if-none-match");

        foreach (var response in new[] { preflight, conditional })
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
            Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
            Assert.Contains("GET", Header(response, "Access-Control-Allow-Methods")!, StringComparison.Ordinal);
        }

        Assert.Contains("Content-Type", Header(preflight, "Access-Control-Allow-Headers")!, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("If-None-Match", Header(conditional, "Access-Control-Allow-Headers")!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ConfiguredOrigins_OnlyThoseAreAllowed()
    {
        var (factory, label, _) = await HostWithManifestAsync(("ProofStorage:Auth:AllowAnonymousReads", "true"),
            ("ProofStorage:Cors:AllowedOrigins:0", Origin), ("ProofStorage:Cors:AllowedOrigins:1", "http://localhost:8080"));
        var browser = Track(factory.CreateAnonymousClient());

        using var allowed = await SendAsync(browser, HttpMethod.Get, ManifestPath(label));
        using var other = await SendAsync(browser, HttpMethod.Get, ManifestPath(label), origin: "https://elsewhere.example.test");

        Assert.Equal(Origin, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Null(Header(other, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Theory]
    [InlineData("ProofStorage:Auth:AllowAnonymousReads", "false")]
    [InlineData("ProofStorage:Cors:Enabled", "false")]
    public async Task KeyedReadsOrCorsOff_NoRouteAnswersWithCorsHeaders(string key, string value)
    {
        var (factory, label, _) = await HostWithManifestAsync(("ProofStorage:Auth:AllowAnonymousReads", "true"), (key, value));
        var client = Track(factory.CreateClient());

        using var simple = await SendAsync(client, HttpMethod.Get, ManifestPath(label));
        using var preflight = await SendAsync(client, HttpMethod.Options, ManifestPath(label), "GET", "if-none-match");

        Assert.Equal(HttpStatusCode.OK, simple.StatusCode);
        Assert.DoesNotContain(simple.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(preflight.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("AllowedOrigins:0", "*", "AllowedOrigins:1", "https://a.example.test")]
    [InlineData("AllowedOrigins:0", "https://a.example.test/path", null, null)]
    [InlineData("AllowedOrigins:0", "ftp://a.example.test", null, null)]
    [InlineData("PreflightMaxAge", "-00:00:01", null, null)]
    [InlineData("PreflightMaxAge", "2.00:00:00", null, null)]
    public void ABadCorsSection_StopsTheServiceAtStartUp_NamingTheSetting(string key, string value, string? key2, string? value2)
    {
        using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Cors:" + key] = value;
        if (key2 is not null)
        {
            factory.Settings["ProofStorage:Cors:" + key2] = value2;
        }

        var error = factory.ValidateStartup();

        Assert.NotNull(error);
        Assert.Contains("ProofStorage:Cors:" + key.Split(':')[0], error.Message, StringComparison.Ordinal);
    }

    private async Task<(ProofStorageApiFactory Factory, string Label, string ProofId)> HostWithManifestAsync(params (string Key, string Value)[] settings)
    {
        var factory = new ProofStorageApiFactory();
        _owned.Add(factory);
        foreach (var (key, value) in settings)
        {
            factory.Settings[key] = value;
        }

        var label = Jumbf.NewLabel();
        var proofId = await StoreAsync(Track(factory.CreateClient()), $"/v1/proofs?imageHash={TestKeys.ImageHash("cors-" + label)}",
            Jumbf.ManifestStoreBytes(label, 0, (Watermark, [1, 2])));
        return (factory, label, proofId);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? requestMethod = null,
        string? requestHeaders = null, string origin = Origin)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Origin", origin);
        if (requestMethod is not null)
        {
            request.Headers.Add("Access-Control-Request-Method", requestMethod);
        }

        if (requestHeaders is not null)
        {
            request.Headers.Add("Access-Control-Request-Headers", requestHeaders);
        }

        return await client.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private HttpClient Track(HttpClient client)
    {
        _owned.Add(client);
        return client;
    }
}
