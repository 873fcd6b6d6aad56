using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ProofStorage.IntegrationTests.Reliability;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Monitoring;

/// <summary>
/// A real Prometheus with the committed rules loaded as they are, scraping the real service (a child process) that
/// runs every part the rules and the dashboard watch: a failover pair (the local S3 server as primary, the
/// filesystem as secondary), Redis as L2. Scrapes and rule evaluations run every second, so the test waits for
/// conditions (Prometheus's own API), never for time.
/// </summary>
public sealed class LivePrometheusTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);
    private readonly string _dataPath = TestFolders.New("monitoring");
    private readonly string _prefix = "mon" + Guid.NewGuid().ToString("N")[..10] + "/";
    private S3Server _primary = null!;
    private RedisServer _redis = null!;
    private ServiceProcess _service = null!;
    private PrometheusServer _prometheus = null!;
    private int _sequence;

    private string SecondaryPath => Path.Combine(_dataPath, "secondary");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataPath);
        _primary = await S3Server.StartAsync();
        _redis = await RedisServer.StartAsync();
        _service = await ServiceProcess.StartAsync(_dataPath, new Dictionary<string, string>
        {
            ["ProofStorage__Storage__Primary__Type"] = "S3",
            ["ProofStorage__Storage__Primary__ServiceUrl"] = _primary.Endpoint,
            ["ProofStorage__Storage__Primary__Bucket"] = S3Server.Bucket,
            ["ProofStorage__Storage__Primary__AccessKeyId"] = _primary.AccessKeyId,
            ["ProofStorage__Storage__Primary__SecretAccessKey"] = _primary.SecretAccessKey,
            ["ProofStorage__Storage__Primary__KeyPrefix"] = _prefix,
            ["ProofStorage__Storage__Primary__MaxErrorRetry"] = "1",
            ["ProofStorage__Storage__Secondary__Type"] = "FileSystem",
            ["ProofStorage__Storage__Secondary__Path"] = SecondaryPath,
            ["ProofStorage__Redis__Enabled"] = "true",
            ["ProofStorage__Redis__Configuration"] = _redis.Endpoint,
            ["ProofStorage__Redis__KeyPrefix"] = "mon:" + _prefix,
            ["Serilog__MinimumLevel__Default"] = "Warning",
        });
        _prometheus = await PrometheusServer.StartAsync("proofstorage", _service.BaseAddress.Authority,
            MonitoringFiles.RuleFiles);
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_primary is not null)
        {
            await _primary.DisposeAsync();
        }
    }

    [Fact]
    public async Task Prometheus_ScrapingTheService_EvaluatesEveryRule_FiresTheMatchingAlertsOnInducedFailures_AndFindsEveryQueriedMetric()
    {
        var client = _service.Client;
        var rules = MonitoringFiles.LoadRules();

        // 1. A healthy service under traffic: every rule evaluates without error, every recording rule to a number.
        var stored = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            stored.Add(await StoreAsync(client));
        }

        // A proof this instance never caches (stored through another host on the same storage), for step 3.
        var uncached = await StoreThroughAnotherHostAsync();
        string? pending = null;
        await WaitUntilAsync(async () =>
        {
            await TrafficAsync(client, stored);
            pending = await RulesNotYetGoodAsync(rules);
            return pending is null;
        }, "every rule evaluated with health ok and every recording rule to a number", () => pending);
        Assert.False(await IsFiringAsync("ProofStorageProviderCircuitOpen"), "circuit-open alert before any failure");
        Assert.False(await IsFiringAsync("ProofStorageIntegrityFailure"), "integrity alert before any failure");

        // 2. The S3 primary killed: stores fail over to the secondary until the primary's circuit opens; the alert fires.
        await _primary.KillAsync();
        await WaitUntilAsync(async () =>
        {
            stored.Add(await StoreAsync(client));
            return await ValueAsync("""proofstorage_provider_circuit_open{job="proofstorage", provider="primary"}""") == 1;
        }, "the primary's circuit to open");
        Assert.True(await ValueAsync("""proofstorage_replication_pending{job="proofstorage"}""") > 0, "stores during the outage wait in the replication log");
        await WaitUntilAsync(() => IsFiringAsync("ProofStorageProviderCircuitOpen", ("provider", "primary")), "ProofStorageProviderCircuitOpen to fire");

        // 3. A corrupt copy served from the secondary (one flipped byte on disk) while the primary is down: 502, and the alert fires.
        FlipAByte(ObjectFile(uncached));
        using (var response = await client.GetAsync($"/v1/proofs/{uncached}"))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadGateway, $"expected 502 for the corrupt copy, got {(int)response.StatusCode}: {body}");
            Assert.Contains("urn:proofstorage:problem:integrity", body, StringComparison.Ordinal);
        }

        await WaitUntilAsync(() => IsFiringAsync("ProofStorageIntegrityFailure"), "ProofStorageIntegrityFailure to fire");

        // 4. After traffic that exercised them, every metric the rules and the dashboard query is in the service's scrape.
        var scraped = MonitoringFiles.ScrapedNames(await client.GetStringAsync("/metrics"));
        var recorded = rules.Where(r => r.Record is not null).Select(r => r.Record!).ToHashSet(StringComparer.Ordinal);
        var queried = rules.Select(r => (Where: $"rule {r.Name}", r.Expr))
            .Concat(MonitoringFiles.DashboardQueries().Select(q => (Where: $"dashboard {q.Where}", q.Expr)))
            .SelectMany(q => MonitoringFiles.MetricNames(q.Expr).Select(name => (q.Where, Name: name)))
            .ToList();
        Assert.Contains(queried, q => q.Name == "proofstorage_replication_pending");
        // `up` is Prometheus's own series per target; names with a colon are recorded by the rules.
        var missing = queried
            .Where(q => q.Name != "up" && !(q.Name.Contains(':', StringComparison.Ordinal) ? recorded.Contains(q.Name) : scraped.Contains(q.Name)))
            .Select(q => $"{q.Name} ({q.Where})")
            .Distinct()
            .ToList();
        Assert.True(missing.Count == 0, "Metrics queried but not in the scrape (or recording rules not defined):\n" + string.Join("\n", missing));
        Assert.Null(await RulesNotYetGoodAsync(rules));
    }

    /// <summary>Null when every rule is evaluated, healthy and every recording rule has a numeric sample; else what is not.</summary>
    private async Task<string?> RulesNotYetGoodAsync(IReadOnlyList<PrometheusRule> committed)
    {
        var loaded = new List<JsonElement>();
        foreach (var group in (await _prometheus.ApiAsync("rules")).GetProperty("groups").EnumerateArray())
        {
            loaded.AddRange(group.GetProperty("rules").EnumerateArray());
        }

        if (loaded.Count != committed.Count)
        {
            return $"Prometheus loaded {loaded.Count} rules, the files hold {committed.Count}";
        }

        foreach (var rule in loaded)
        {
            var name = rule.GetProperty("name").GetString();
            var health = rule.GetProperty("health").GetString();
            var error = rule.TryGetProperty("lastError", out var e) ? e.GetString() : null;
            if (health != "ok" || !string.IsNullOrEmpty(error))
            {
                return $"rule {name}: health {health}, lastError '{error}'";
            }
        }

        foreach (var record in committed.Where(r => r.Record is not null))
        {
            var result = await _prometheus.QueryAsync(record.Record!);
            var values = result.EnumerateArray().Select(s => s.GetProperty("value")[1].GetString()).ToList();
            if (values.Count == 0 || values.Any(v => !double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || double.IsNaN(d)))
            {
                return $"recording rule {record.Record}: samples [{string.Join(", ", values)}]";
            }
        }

        return null;
    }

    private async Task<bool> IsFiringAsync(string alertName, params (string Label, string Value)[] labels)
    {
        foreach (var alert in (await _prometheus.ApiAsync("alerts")).GetProperty("alerts").EnumerateArray())
        {
            var alertLabels = alert.GetProperty("labels");
            if (alertLabels.GetProperty("alertname").GetString() == alertName && alert.GetProperty("state").GetString() == "firing"
                && labels.All(l => alertLabels.TryGetProperty(l.Label, out var v) && v.GetString() == l.Value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The single value of an instant query (NaN when it returns nothing).</summary>
    private async Task<double> ValueAsync(string promql)
    {
        var result = await _prometheus.QueryAsync(promql);
        return result.GetArrayLength() == 0
            ? double.NaN
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Reads (L1 hits), a duplicate store, a by-image read, a miss, and a readiness probe as an orchestrator sends it:
    /// every cache level, route and gauge the rules watch.
    /// </summary>
    private async Task TrafficAsync(HttpClient client, List<string> stored)
    {
        using (var ready = await client.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        foreach (var proofId in stored.TakeLast(5))
        {
            using var read = await client.GetAsync($"/v1/proofs/{proofId}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var duplicate = await PostAsync(client, TestKeys.ImageHash($"monitoring-{_prefix}-0"), "{\"again\":true}"))
        {
            Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        }

        using (var byImage = await client.GetAsync($"/v1/proofs/by-image/{TestKeys.ImageHash($"monitoring-{_prefix}-0")}"))
        {
            Assert.Equal(HttpStatusCode.OK, byImage.StatusCode);
        }

        using var missing = await client.GetAsync($"/v1/proofs/{ProofIdOf("never-stored-" + Guid.NewGuid())}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<string> StoreAsync(HttpClient client)
    {
        var n = Interlocked.Increment(ref _sequence) - 1;
        using var response = await PostAsync(client, TestKeys.ImageHash($"monitoring-{_prefix}-{n}"), $"{{\"n\":{n}}}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"store {n}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("proofId").GetString()!;
    }

    /// <summary>Stores a proof through an in-process host configured like the service (same storage and key), but without Redis.</summary>
    private async Task<string> StoreThroughAnotherHostAsync()
    {
        using var writer = new ProofStorageApiFactory();
        var settings = writer.Settings;
        settings["ProofStorage:Encryption:ActiveKeyId"] = "k1";
        settings["ProofStorage:Encryption:Keys:k1"] = ServiceProcess.EncryptionKeyBase64;
        settings["ProofStorage:Storage:Primary:Type"] = "S3";
        settings["ProofStorage:Storage:Primary:ServiceUrl"] = _primary.Endpoint;
        settings["ProofStorage:Storage:Primary:Bucket"] = S3Server.Bucket;
        settings["ProofStorage:Storage:Primary:AccessKeyId"] = _primary.AccessKeyId;
        settings["ProofStorage:Storage:Primary:SecretAccessKey"] = _primary.SecretAccessKey;
        settings["ProofStorage:Storage:Primary:KeyPrefix"] = _prefix;
        settings["ProofStorage:Storage:Secondary:Type"] = "FileSystem";
        settings["ProofStorage:Storage:Secondary:Path"] = SecondaryPath;
        using var client = writer.CreateClient();
        return await StoreAsync(client);
    }

    /// <summary>The secondary's file of a proof (found by name, wherever the provider's fan-out puts it).</summary>
    private string ObjectFile(string proofId) =>
        Assert.Single(Directory.EnumerateFiles(SecondaryPath, proofId, SearchOption.AllDirectories));

    private static void FlipAByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
    }

    private static string ProofIdOf(string label) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(label))[..16]).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string imageHash, string proof) =>
        client.PostAsync("/v1/proofs", new StringContent($"{{\"imageHash\":\"{imageHash}\",\"proof\":{proof}}}", Encoding.UTF8, "application/json"));

    private Task WaitUntilAsync(Func<Task<bool>> condition, string what, Func<string?>? detail = null) =>
        Poll.UntilAsync(condition, Deadline, () => $"{what}. {detail?.Invoke()}\nPrometheus log:\n{_prometheus.Log}\nService log:\n{_service.Output}");
}
