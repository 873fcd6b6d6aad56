using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Client;

namespace ProofStorage.EndToEndTests.Clients;

/// <summary>A service whose per-key rate limit is one request per second, with a burst of one.</summary>
public sealed class RateLimitedServiceFixture : ClientServiceFixture
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["ProofStorage__RateLimit__Enabled"] = "true",
        ["ProofStorage__RateLimit__KeyPermitsPerSecond"] = "1",
        ["ProofStorage__RateLimit__KeyBurst"] = "1",
    };
}

/// <summary>
/// The .NET client's resilience handler against the service's real rate limiter: a 429 is retried after the
/// <c>Retry-After</c> the service advertised, not after the client's own (much shorter) back-off.
/// </summary>
public sealed class RateLimitRetryTests(RateLimitedServiceFixture fixture) : IClassFixture<RateLimitedServiceFixture>
{
    [Fact]
    public async Task A429_IsRetriedAfterTheAdvertisedRetryAfter_AndTheCallSucceeds()
    {
        var attempts = new AttemptRecorder();
        // Back-off alone would retry within tens of milliseconds: only Retry-After can make the client wait a second.
        var client = fixture.CreateClient(
            options: o =>
            {
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
                o.MaxRetryAttempts = 5;
            },
            builder: http => http.AddHttpMessageHandler(() => attempts));

        // Calls in a row until one finds the bucket (one token) empty; each call returns only once it got an answer.
        for (var call = 0; call < 20 && !attempts.All.Any(a => a.Status == HttpStatusCode.TooManyRequests); call++)
        {
            var result = await client.GetProofAsync("AnyProof00000000000000");
            Assert.Equal(ProofReadStatus.NotFound, result.Status);
        }

        var all = attempts.All;
        var refused = all.Select((attempt, index) => (attempt, index)).Where(a => a.attempt.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        foreach (var (attempt, index) in refused)
        {
            var advertised = Assert.IsType<TimeSpan>(attempt.RetryAfter);
            Assert.True(advertised >= TimeSpan.FromSeconds(1), $"Retry-After {advertised}");
            var next = all[index + 1];
            var waited = next.SentAt - attempt.ReceivedAt;
            // A lower bound only: a busy machine can make the wait longer, never shorter.
            Assert.True(waited >= advertised - TimeSpan.FromMilliseconds(20),
                $"attempt {index + 2} was sent {waited.TotalMilliseconds:0} ms after a 429 that advertised Retry-After {advertised.TotalSeconds} s");
        }

        Assert.NotEqual(HttpStatusCode.TooManyRequests, all[^1].Status);
    }

    /// <summary>Inside the resilience handler: sees every attempt, with when it was sent and answered.</summary>
    private sealed class AttemptRecorder : DelegatingHandler
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConcurrentQueue<Attempt> _attempts = new();

        public IReadOnlyList<Attempt> All => [.. _attempts];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var sent = _clock.Elapsed;
            var response = await base.SendAsync(request, cancellationToken);
            _attempts.Enqueue(new Attempt(sent, _clock.Elapsed, response.StatusCode, response.Headers.RetryAfter?.Delta));
            return response;
        }
    }

    private sealed record Attempt(TimeSpan SentAt, TimeSpan ReceivedAt, HttpStatusCode Status, TimeSpan? RetryAfter);
}
