using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Storage;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Security;

public sealed class RateLimitAndSheddingTests
{
    [Fact]
    public async Task OverItsBurst_AKeyGets429WithRetryAfter_AndOtherKeysAreUnaffected()
    {
        await using var factory = SecurityTestHost.Create(configure: s =>
        {
            s["ProofStorage:RateLimit:Enabled"] = "true";
            s["ProofStorage:RateLimit:KeyBurst"] = "3";
            s["ProofStorage:RateLimit:KeyPermitsPerSecond"] = "1";
        });
        using var reader = factory.CreateClient(SecurityTestHost.ReaderKey);
        using var writer = factory.CreateClient(SecurityTestHost.WriterKey);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6 && limited is null; i++)
        {
            var response = await reader.GetAsync("/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        Assert.True(statuses.Count(s => s == HttpStatusCode.NotFound) >= 3, string.Join(",", statuses));
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        limited.Dispose();

        using var other = await writer.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("other-key"));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public async Task AnonymousClients_AreLimitedToo_ButHealthNever()
    {
        await using var factory = AnonymousReadsLimited(burst: 2);
        using var anonymous = factory.CreateAnonymousClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await anonymous.GetAsync("/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA");
            statuses.Add(response.StatusCode);
        }

        for (var i = 0; i < 5; i++)
        {
            using var health = await anonymous.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task AnonymousClients_ShareABucketPerIPv6Slash64_AndPerIPv4Address()
    {
        await using var factory = AnonymousReadsLimited(burst: 1);

        async Task<HttpStatusCode> ReadFrom(string address)
        {
            var context = await factory.Server.SendAsync(c =>
            {
                c.Request.Method = HttpMethods.Get;
                c.Request.Path = "/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA";
                c.Connection.RemoteIpAddress = IPAddress.Parse(address);
            });
            return (HttpStatusCode)context.Response.StatusCode;
        }

        // A network's bucket starts full (one token): the first read from each network passes.
        // (.2 and .3 share a /31: each IPv4 address is its own network.)
        foreach (var network in new[] { "2001:db8:1:2::1", "2001:db8:1:3::1", "198.51.100.2", "198.51.100.3" })
        {
            Assert.Equal(HttpStatusCode.NotFound, await ReadFrom(network));
        }

        // Twenty more addresses of the first /64 (a client picks those at will), each used once: limited as one caller,
        // so at most a token a second gets through. Per address, every one of them had a full bucket.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            statuses.Add(await ReadFrom($"2001:db8:1:2:{i + 1:x}:abcd:ef01:{i + 2:x}"));
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        // And an IPv4 address is limited as itself, whether it comes as IPv4 or IPv4-mapped IPv6.
        statuses.Clear();
        for (var i = 0; i < 20; i++)
        {
            statuses.Add(await ReadFrom(i % 2 == 0 ? "198.51.100.2" : "::ffff:198.51.100.2"));
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Theory]
    [InlineData("198.51.100.7", "198.51.100.7")]
    [InlineData("::ffff:198.51.100.7", "198.51.100.7")]
    [InlineData("2001:db8:1:2:ffff:eeee:dddd:cccc", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2::", "2001:db8:1:2::")]
    [InlineData("::1", "::")]
    public void AnonymousNetwork_IsTheIPv4AddressOrTheIPv6Slash64(string address, string network) =>
        Assert.Equal(IPAddress.Parse(network), ProofStorage.Api.Security.ApiAccessMiddleware.NetworkOf(IPAddress.Parse(address)));

    [Fact]
    public async Task AtCapacity_RequestsAreShedWith503AndRetryAfter_AndNothingIsStored()
    {
        var writes = new HeldWrites();
        await using var factory = writes.Host(s =>
        {
            s["ProofStorage:Overload:MaxConcurrentRequests"] = "1";
            s["ProofStorage:Overload:QueueLimit"] = "0";
        });
        using var client = factory.CreateClient();

        var slow = await writes.StartHeldStoreAsync(client, "slow");
        using var shed = await client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("shed"));
        using var liveWhileBusy = await client.GetAsync("/health/live");
        writes.Release();
        using var first = await slow;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, shed.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), shed.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, liveWhileBusy.StatusCode);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Single(writes.Stored.Objects.Keys, k => k.StartsWith("proofs/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Admission_IsExportedPerClass_AsRequestsInFlightQueuedAndShed()
    {
        var writes = new HeldWrites();
        await using var factory = writes.Host(s =>
        {
            s["ProofStorage:Overload:MaxConcurrentRequests"] = "1";
            s["ProofStorage:Overload:QueueLimit"] = "1";
            s["ProofStorage:Overload:QueueTimeout"] = "00:01:00";
        });
        using var client = factory.CreateClient();
        var meter = factory.Services.GetRequiredService<ProofStorageMetrics>().Meter;
        using var inFlight = new MetricCollector<long>(meter, "proofstorage.requests.in_flight");
        using var queued = new MetricCollector<long>(meter, "proofstorage.requests.queued");
        using var shed = new MetricCollector<long>(meter, "proofstorage.requests.shed");

        var stuck = await writes.StartHeldStoreAsync(client, "holds-the-permit");
        var waiting = client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("waits-in-the-queue"));
        // The queue's one place is taken once the gauge says so; then a third store finds permits and queue full.
        await Poll.UntilAsync(() =>
        {
            Assert.False(waiting.IsCompleted, "the second store must wait for the permit");
            return Observe(queued, "write") > 0;
        }, TimeSpan.FromSeconds(60), "the second store to queue for the write permit");

        using var refused = await client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("shed"));
        var during = (InFlight: Observe(inFlight, "write"), Queued: Observe(queued, "write"), Shed: Observe(shed, "write"),
            ReadsInFlight: Observe(inFlight, "read"));
        writes.Release();
        using var first = await stuck;
        using var second = await waiting;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal((1L, 1L, 1L, 0L), during);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal((0L, 0L, 1L), (Observe(inFlight, "write"), Observe(queued, "write"), Observe(shed, "write")));
    }

    [Fact]
    public async Task CachedReads_AreServed_WhileEveryWritePermitIsHeldByAStuckStore()
    {
        var writes = new HeldWrites();
        await using var factory = writes.Host(s =>
        {
            s["ProofStorage:Overload:MaxConcurrentRequests"] = "1";
            s["ProofStorage:Overload:MaxConcurrentReads"] = "4";
            s["ProofStorage:Overload:QueueLimit"] = "0";
        });
        using var client = factory.CreateClient();
        var id = await SecurityTestHost.StoreAsync(client, "cached-before-the-jam");

        var stuck = await writes.StartHeldStoreAsync(client, "stuck-write");

        // The only write permit is held by the stuck store: another write is shed at once, reads are not.
        using var shedWrite = await client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("shed-write"));
        var reads = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var read = await client.GetAsync($"/v1/proofs/{id}");
            reads.Add(read.StatusCode);
        }

        Assert.False(stuck.IsCompleted, "the store must still hold its permit while the reads run");
        writes.Release();
        using var first = await stuck;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, shedWrite.StatusCode);
        Assert.All(reads, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
    }

    /// <summary>
    /// An in-memory provider whose new proofs' writes can be held: a store whose write is held keeps its write permit
    /// until <see cref="Release"/>.
    /// </summary>
    private sealed class HeldWrites
    {
        private readonly ChaosStorageProvider _chaos;
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldWrites() => _chaos = new ChaosStorageProvider(Stored);

        public InMemoryStorageProvider Stored { get; } = new();

        /// <summary>A host with these settings over the provider.</summary>
        public ProofStorageApiFactory Host(Action<Dictionary<string, string?>> configure)
        {
            var factory = SecurityTestHost.Create(configure: configure);
            factory.ConfigureServices = services => services.AddSingleton<IStorageProvider>(_chaos);
            return factory;
        }

        /// <summary>From now on every new proof's write waits at the provider; starts a store and returns once its write is held.</summary>
        public async Task<Task<HttpResponseMessage>> StartHeldStoreAsync(HttpClient client, string label)
        {
            _chaos.BeforeCreate = () =>
            {
                _entered.TrySetResult();
                return _release.Task;
            };
            var store = client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody(label));
            await _entered.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return store;
        }

        public void Release() => _release.SetResult();
    }

    /// <summary>The class's value at a fresh collection of an observable instrument.</summary>
    private static long Observe(MetricCollector<long> collector, string requestClass)
    {
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot()
            .Last(m => Equals(m.Tags[ProofStorageMetrics.RequestClassTag], requestClass)).Value;
    }

    /// <summary>Anonymous reads allowed, anonymous callers limited to <paramref name="burst"/> and one token a second.</summary>
    private static ProofStorageApiFactory AnonymousReadsLimited(int burst) => SecurityTestHost.Create(configure: s =>
    {
        s["ProofStorage:Auth:AllowAnonymousReads"] = "true";
        s["ProofStorage:RateLimit:Enabled"] = "true";
        s["ProofStorage:RateLimit:AnonymousBurst"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        s["ProofStorage:RateLimit:AnonymousPermitsPerSecond"] = "1";
    });
}
