using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>
/// The AWS SDK has no OpenTelemetry adapter on the mirror: its requests are seen as HttpClient spans, nested under
/// the store's provider span, on the trace of the client's request.
/// </summary>
public sealed class S3TelemetryTests(S3ServerFixture servers) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task Store_OnS3_TheSdksHttpRequestIsASpanUnderTheProviderSpanOfTheCallersTrace()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is ProofStorageActivities.SourceName or "System.Net.Http" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var factory = S3TestHost.Create(S3TestHost.NewPrefix(), servers.Primary);
        using var client = factory.CreateClient();
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/proofs")
        {
            Content = new StringContent($"{{\"imageHash\":\"{TestKeys.ImageHash("s3-trace" + Guid.NewGuid())}\",\"proof\":[1]}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var mine = spans.Where(s => s.TraceId == traceId).ToList();
        var providerPut = Assert.Single(mine, s => s.OperationName == "provider put");
        var http = mine.Where(s => s.Source.Name == "System.Net.Http" && s.ParentSpanId == providerPut.SpanId).ToList();
        Assert.NotEmpty(http);
        Assert.All(http, s => Assert.Equal(ActivityKind.Client, s.Kind));
        Assert.Contains(http, s => Equals(s.GetTagItem("http.request.method"), "PUT"));
        var store = Assert.Single(mine, s => s.OperationName == "proofstorage.store");
        Assert.Equal(store.SpanId, providerPut.ParentSpanId);
    }
}
