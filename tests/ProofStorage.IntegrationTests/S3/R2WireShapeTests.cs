using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>What the R2-configured client actually sends, captured on the wire against the real server.</summary>
public sealed class R2WireShapeTests(S3ServerFixture servers) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task R2PutObject_SendsOnePlainSignedBodyWithoutChunkingOrChecksumHeaders()
    {
        var capture = new CapturingHttpClientFactory();
        var prefix = S3TestHost.NewPrefix();
        using var factory = S3TestHost.Create(prefix, servers.Primary, type: "R2");
        factory.ConfigureServices = services => services.AddSingleton<HttpClientFactory>(capture);
        using var client = factory.CreateClient();

        var (proofId, _) = await S3TestHost.StoreAsync(client, TestKeys.ImageHash("wire"), "{\"sig\":\"wire\"}");
        using (var delete = await client.DeleteAsync($"/v1/proofs/{proofId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var puts = capture.Requests.Where(r => r.Method == "PUT").ToList();
        var create = Assert.Single(puts, r => r.Path.EndsWith($"/proofs/{proofId}", StringComparison.Ordinal));
        Assert.Equal("*", create.Header("If-None-Match"));
        Assert.Matches("^[0-9a-f]{64}$", create.Header("x-amz-meta-sha256"));
        foreach (var put in puts)
        {
            var contentSha = put.Header("x-amz-content-sha256");
            Assert.NotNull(contentSha);
            Assert.DoesNotContain("STREAMING-", contentSha, StringComparison.Ordinal);
            // Plain HTTP: the body is signed (UNSIGNED-PAYLOAD is only used over HTTPS).
            Assert.Matches("^[0-9a-f]{64}$", contentSha);
            Assert.DoesNotContain("aws-chunked", put.Header("Content-Encoding") ?? string.Empty, StringComparison.OrdinalIgnoreCase);
            Assert.Null(put.Header("x-amz-decoded-content-length"));
            Assert.Null(put.Header("x-amz-trailer"));
            Assert.DoesNotContain(put.Headers.Keys, h => h.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase)
                || h.StartsWith("x-amz-sdk-checksum", StringComparison.OrdinalIgnoreCase));
        }

        // Deletes are single DeleteObject calls: no POST ?delete (DeleteObjects carries a checksum R2 rejects).
        Assert.DoesNotContain(capture.Requests, r => r.Method == "POST");
        Assert.Contains(capture.Requests, r => r.Method == "DELETE" && r.Path.EndsWith($"/proofs/{proofId}", StringComparison.Ordinal));
    }

    private sealed record CapturedRequest(string Method, string Path, Dictionary<string, string> Headers)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>Hands the SDK HttpClients whose handler records every request's method, path and headers.</summary>
    private sealed class CapturingHttpClientFactory : HttpClientFactory
    {
        public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
            new(new CapturingHandler(Requests) { InnerHandler = new SocketsHttpHandler() }) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(30) };

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }

    private sealed class CapturingHandler(ConcurrentQueue<CapturedRequest> requests) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
            {
                headers[name] = string.Join(",", values);
            }

            requests.Enqueue(new CapturedRequest(request.Method.Method, request.RequestUri!.AbsolutePath, headers));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
