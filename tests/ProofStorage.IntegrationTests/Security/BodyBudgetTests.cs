using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Api.Security;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Security;

/// <summary>
/// Request bodies are admitted against <c>ProofStorage:Overload:MaxInFlightBodyBytes</c>: a body over what is left waits
/// (oldest first), is admitted when bytes come back, and gets 503 with Retry-After when they do not come back in time.
/// Every reservation is given back when its request ends, completed or aborted.
/// </summary>
public sealed class BodyBudgetTests
{
    // A store reserves four times its body (the body and what it builds from it): the budget fits one 40 KB store, not two.
    private const int MaxBody = 48 * 1024;
    private const int Budget = 4 * MaxBody;

    [Fact]
    public async Task ABodyOverTheRemainingBudget_WaitsForIt_AndIsAdmittedWhenItIsGivenBack()
    {
        await using var factory = Create(queueTimeout: "00:01:00");
        using var client = Client(factory);
        var budget = factory.Services.GetRequiredService<RequestBodyBudget>();

        var first = new GatedBody(StoreJson("budget-first", 40 * 1024));
        var holding = client.PostAsync("/v1/proofs", first);
        await WaitUntil(() => budget.Reserved >= first.Length, "the first body holds its bytes");

        var second = client.PostAsync("/v1/proofs", new ByteArrayContent(Encoding.UTF8.GetBytes(StoreJson("budget-second", 40 * 1024)))
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
        });
        await WaitUntil(() => budget.Waiting > 0, "the second body waits for the budget");
        Assert.False(second.IsCompleted);

        first.Release();
        using var firstResponse = await holding;
        using var secondResponse = await second;

        Assert.Equal(HttpStatusCode.Created, firstResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Created, secondResponse.StatusCode);
        await WaitUntil(() => budget.Reserved == 0, "every reservation is given back");
    }

    [Fact]
    public async Task ABodyThatCannotBeAdmittedInTime_Gets503WithRetryAfter_AndNothingIsStored()
    {
        await using var factory = Create(queueTimeout: "00:00:00.200");
        using var client = Client(factory);
        var budget = factory.Services.GetRequiredService<RequestBodyBudget>();

        var first = new GatedBody(StoreJson("budget-holder", 40 * 1024));
        var holding = client.PostAsync("/v1/proofs", first);
        await WaitUntil(() => budget.Reserved >= first.Length, "the first body holds its bytes");

        using var refused = await client.PostAsync("/v1/proofs", new StringContent(StoreJson("budget-refused", 40 * 1024), Encoding.UTF8, "application/json"));
        first.Release();
        using var firstResponse = await holding;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("urn:proofstorage:problem:overloaded", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, firstResponse.StatusCode);
        using var lookup = await client.GetAsync($"/v1/proofs/by-image/{TestKeys.ImageHash("budget-refused")}");
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
        await WaitUntil(() => budget.Reserved == 0, "every reservation is given back");
    }

    [Fact]
    public async Task AnAbortedUpload_GivesItsReservationBack()
    {
        await using var factory = Create(queueTimeout: "00:01:00");
        using var client = Client(factory);
        var budget = factory.Services.GetRequiredService<RequestBodyBudget>();

        using var cancel = new CancellationTokenSource();
        var body = new GatedBody(StoreJson("budget-aborted", 40 * 1024));
        var upload = client.PostAsync("/v1/proofs", body, cancel.Token);
        await WaitUntil(() => budget.Reserved >= body.Length, "the body holds its bytes");

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload);

        await WaitUntil(() => budget.Reserved == 0, "the aborted body's reservation is given back");
        using var after = await client.PostAsync("/v1/proofs", new StringContent(StoreJson("budget-after-abort", 40 * 1024), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }

    /// <summary>The service on Kestrel (a request body arrives as it is sent, as in production).</summary>
    private static ProofStorageApiFactory Create(string queueTimeout)
    {
        var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Api:MaxRequestBodyBytes"] = MaxBody.ToString(System.Globalization.CultureInfo.InvariantCulture);
        factory.Settings["ProofStorage:Overload:MaxInFlightBodyBytes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture);
        factory.Settings["ProofStorage:Overload:QueueTimeout"] = queueTimeout;
        // A loopback port Kestrel picks (UseKestrel(0) races the minimal host's start and can throw).
        factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        return factory;
    }

    private static HttpClient Client(ProofStorageApiFactory factory)
    {
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ProofStorageApiFactory.ApiKey);
        return client;
    }

    private static string StoreJson(string label, int size) =>
        $$$"""{"imageHash":"{{{TestKeys.ImageHash(label)}}}","proof":{"claim":"{{{new string('c', size)}}}"}}""";

    private static Task WaitUntil(Func<bool> condition, string what) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(60), what);

    /// <summary>A body with a Content-Length that sends its first half, then waits to be released.</summary>
    private sealed class GatedBody : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public GatedBody(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        public int Length => _bytes.Length;

        public void Release() => _gate.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            var half = _bytes.Length / 2;
            await stream.WriteAsync(_bytes.AsMemory(0, half), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            await _gate.Task.WaitAsync(cancellationToken);
            await stream.WriteAsync(_bytes.AsMemory(half), cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }
}
