using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ProofStorage.Testing;
using static ProofStorage.EndToEndTests.C2pa.RemoteManifestTests;

namespace ProofStorage.EndToEndTests.C2pa;

/// <summary>
/// Browsers are verifiers too: a page served from another origin (a verifier site on its own Kestrel) fetches a manifest
/// store and queries by binding (a preflighted JSON POST) from the running service in headless Chromium. With CORS on
/// (the default while reads are anonymous) both succeed and the script can read the ETag and Link; with CORS off the browser
/// refuses the responses.
/// </summary>
public sealed class ManifestCorsBrowserTests : IAsyncLifetime
{
    private const string Watermark = "com.adobe.trustmark.P";
    private const string Script = """
        async ([manifestUrl, matchesUrl, alg, value]) => {
          try {
            const response = await fetch(manifestUrl);
            const bytes = new Uint8Array(await response.arrayBuffer());
            const matches = await fetch(matchesUrl, {
              method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ alg, value }) });
            return JSON.stringify({
              ok: true, origin: location.origin, status: response.status, length: bytes.length,
              box: String.fromCharCode(...bytes.slice(4, 8)), etag: response.headers.get('ETag'), link: response.headers.get('Link'),
              matches: await matches.json() });
          } catch (error) {
            return JSON.stringify({ ok: false, origin: location.origin, error: String(error) });
          }
        }
        """;

    private readonly string _label = Jumbf.NewLabel();
    private readonly byte[] _store;
    private ServiceProcess _open = null!;
    private ServiceProcess _closed = null!;
    private WebApplication _verifierSite = null!;
    private HeadlessChromium _chromium = null!;

    public ManifestCorsBrowserTests()
    {
        _store = Jumbf.ManifestStoreBytes(_label, 0, (Watermark, [4, 2]));
    }

    public async Task InitializeAsync()
    {
        _chromium = await HeadlessChromium.LaunchAsync();
        _open = await ServiceProcess.StartAsync(environment: Settings(corsEnabled: true));
        _closed = await ServiceProcess.StartAsync(environment: Settings(corsEnabled: false));
        foreach (var service in new[] { _open, _closed })
        {
            using var client = service.CreateClient(service.ApiKey);
            using var stored = await PostAsync(client, $"/v1/proofs?imageHash={TestKeys.ImageHash("cors-" + _label)}", _store);
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        }

        // The other origin: a verifier's page, served by its own server on another port.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _verifierSite = builder.Build();
        _verifierSite.MapGet("/", () => Results.Content("<!doctype html><title>verifier</title><p>verifier page</p>", "text/html"));
        await _verifierSite.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_verifierSite is not null)
        {
            await _verifierSite.DisposeAsync();
        }

        foreach (var service in new[] { _open, _closed })
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task CrossOriginFetch_OfAManifestAndAQueryByBinding_SucceedsWithCorsOn_AndFailsWithCorsOff()
    {
        var page = await _chromium.Browser.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        try
        {
            var site = new Uri(_verifierSite.Urls.Single());
            await page.GotoAsync(site.AbsoluteUri);

            using var allowed = JsonDocument.Parse(await FetchFromPageAsync(page, _open));
            using var refused = JsonDocument.Parse(await FetchFromPageAsync(page, _closed));

            var ok = allowed.RootElement;
            Assert.True(ok.GetProperty("ok").GetBoolean(), ok.ToString());
            Assert.Equal(site.GetLeftPart(UriPartial.Authority), ok.GetProperty("origin").GetString());
            Assert.NotEqual(_open.BaseAddress.GetLeftPart(UriPartial.Authority), ok.GetProperty("origin").GetString());
            Assert.Equal(200, ok.GetProperty("status").GetInt32());
            Assert.Equal(_store.Length, ok.GetProperty("length").GetInt32());
            Assert.Equal("jumb", ok.GetProperty("box").GetString());
            using var direct = await _open.CreateClient(apiKey: null).GetAsync($"/c2pa/v1/manifests/{_label}");
            Assert.Equal(direct.Headers.ETag!.ToString(), ok.GetProperty("etag").GetString());
            Assert.Contains("rel=\"c2pa-manifest\"", ok.GetProperty("link").GetString(), StringComparison.Ordinal);
            Assert.Equal(_label, Assert.Single(ok.GetProperty("matches").GetProperty("matches").EnumerateArray()).GetProperty("manifestId").GetString());

            var error = refused.RootElement;
            Assert.False(error.GetProperty("ok").GetBoolean(), error.ToString());
            Assert.Contains("Failed to fetch", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            throw new InvalidOperationException($"The browser step failed ({ex.Message}). Service logs:\n{_open.Output}\n{_closed.Output}", ex);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    private async Task<string> FetchFromPageAsync(IPage page, ServiceProcess service) =>
        await page.EvaluateAsync<string>(Script, new[]
        {
            new Uri(service.BaseAddress, $"/c2pa/v1/manifests/{_label}").AbsoluteUri,
            new Uri(service.BaseAddress, "/c2pa/v1/matches/byBinding").AbsoluteUri,
            Watermark,
            Convert.ToBase64String([4, 2]),
        });

    private static Dictionary<string, string> Settings(bool corsEnabled) => new()
    {
        ["ProofStorage__Auth__AllowAnonymousReads"] = "true",
        ["ProofStorage__Cors__Enabled"] = corsEnabled ? "true" : "false",
        ["ProofStorage__RateLimit__Enabled"] = "false",
    };
}
