using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint over the real pipeline. Hosts in other test classes may share the process's
/// meters, so figures are checked as "at least" and as increases, never as exact totals.
/// </summary>
[Collection(IsolatedMetrics.Name)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_AfterStoreDuplicateCachedAndMissingReads_ExposeEveryInstrumentWithPlausibleValues()
    {
        using var factory = new ProofStorageApiFactory();
        using var client = factory.CreateClient();
        using var scraper = factory.CreateAnonymousClient();
        var hash = TestKeys.ImageHash("metrics-" + Guid.NewGuid());
        var proof = "{\"claims\":[" + string.Join(',', Enumerable.Repeat("\"a repeated assertion\"", 100)) + "]}";

        using var created = await Store(client, hash, proof);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        using var duplicate = await Store(client, hash, "{\"other\":1}");
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        var before = await Scrape(scraper);
        using var cached = await client.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        using var missing = await client.GetAsync("/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var after = await Scrape(scraper);

        Assert.True(after.Sum("proofstorage_dedup_hits_total") >= 1, after.Text);
        Assert.True(after.Sum("proofstorage_proofs_created_total") >= 1, after.Text);
        Assert.True(after.Sum("proofstorage_cache_hits_total", ("cache_level", "l1")) > before.Sum("proofstorage_cache_hits_total", ("cache_level", "l1")),
            "the cached read is an L1 hit");
        Assert.True(after.Sum("proofstorage_cache_misses_total", ("cache_level", "l1")) > before.Sum("proofstorage_cache_misses_total", ("cache_level", "l1")),
            "the missing read is an L1 miss");
        Assert.True(after.Sum("proofstorage_cache_misses_total", ("cache_level", "provider")) > before.Sum("proofstorage_cache_misses_total", ("cache_level", "provider")),
            "the missing read reached the provider, which had nothing");
        var raw = after.Sum("proofstorage_store_raw_bytes_total");
        var stored = after.Sum("proofstorage_store_stored_bytes_total");
        Assert.True(raw >= proof.Length, $"raw bytes {raw} < the proof's {proof.Length}");
        // The meter is process-wide: other tests' tiny proofs (envelope larger than the record) share these totals,
        // so only this test's own proof, stored first, bounds them from below.
        Assert.True(stored >= 1, $"stored bytes {stored}");
        Assert.True(after.Sum("proofstorage_store_compression_ratio_count") >= 1, after.Text);
        var ratio = after.Sum("proofstorage_store_compression_ratio_sum") / after.Sum("proofstorage_store_compression_ratio_count");
        Assert.InRange(ratio, 0.001, 1.1);
        Assert.True(after.Sum("proofstorage_provider_operation_duration_seconds_count", ("provider", "primary"), ("operation", "put")) >= 1, after.Text);
        Assert.True(after.Sum("proofstorage_provider_operation_duration_seconds_count", ("provider", "primary"), ("operation", "get")) >= 1, after.Text);
        Assert.InRange(after.Sum("proofstorage_provider_operation_duration_seconds_sum", ("operation", "put")), double.Epsilon, 60);
        Assert.True(after.Sum("http_server_request_duration_seconds_count", ("http_request_method", "POST"), ("http_response_status_code", "201")) >= 1,
            "ASP.NET Core instrumentation");
        Assert.True(after.Has("dotnet_gc_collections_total") || after.Has("dotnet_process_cpu_time_seconds_total"), "runtime metrics");
        // Admission per request class, read from the limiters; ASP.NET Core's per-request in-progress counter is not exported.
        foreach (var series in new[] { "proofstorage_requests_in_flight", "proofstorage_requests_queued", "proofstorage_requests_shed_total" })
        {
            foreach (var requestClass in new[] { "read", "write" })
            {
                Assert.Contains(after.Text.Split('\n'), line => line.StartsWith(series + "{", StringComparison.Ordinal)
                    && line.Contains($"request_class=\"{requestClass}\"", StringComparison.Ordinal));
            }
        }

        Assert.False(after.Has("http_server_active_requests"), after.Text);
    }

    [Fact]
    public async Task Metrics_ByDefault_AnswerAnonymousScrapesInTheTextFormat()
    {
        using var factory = new ProofStorageApiFactory();
        using var scraper = factory.CreateAnonymousClient();

        using var response = await scraper.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
        Assert.Contains("target_info{", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_RequireApiKey_RefusesAnonymousAndServesAnAdminKey()
    {
        using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Telemetry:MetricsRequireApiKey"] = "true";
        factory.Settings["ProofStorage:Telemetry:MetricsPath"] = "/internal/metrics";
        using var anonymous = factory.CreateAnonymousClient();
        using var admin = factory.CreateClient();

        using var refused = await anonymous.GetAsync("/internal/metrics");
        using var served = await admin.GetAsync("/internal/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Metrics_Disabled_MapsNoEndpoint()
    {
        using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Telemetry:MetricsEnabled"] = "false";
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/v1/metrics")]
    [InlineData("metrics")]
    public void Start_MetricsPathInsideTheApiOrRelative_FailsNamingTheSetting(string path)
    {
        using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Telemetry:MetricsPath"] = path;

        var error = Assert.IsType<OptionsValidationException>(factory.ValidateStartup());

        Assert.Contains("ProofStorage:Telemetry:MetricsPath", error.Message, StringComparison.Ordinal);
    }

    private static async Task<PrometheusText> Scrape(HttpClient scraper)
    {
        using var response = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new PrometheusText(await response.Content.ReadAsStringAsync());
    }

    private static Task<HttpResponseMessage> Store(HttpClient client, string imageHash, string proof) =>
        client.PostAsync("/v1/proofs", new StringContent($"{{\"imageHash\":\"{imageHash}\",\"proof\":{proof}}}", Encoding.UTF8, "application/json"));
}
