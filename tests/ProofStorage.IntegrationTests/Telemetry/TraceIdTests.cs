using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ProofStorage.IntegrationTests.Telemetry;

/// <summary>The caller's trace id comes back where an operator looks for it.</summary>
[Collection(IsolatedMetrics.Name)]
public sealed class TraceIdTests
{
    [Fact]
    public async Task ProblemDetails_ForARequestWithTraceparent_CarryTheCallersTraceId()
    {
        using var factory = new ProofStorageApiFactory();
        using var client = factory.CreateClient();
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(traceId, problem.GetProperty("traceId").GetString());
    }
}
