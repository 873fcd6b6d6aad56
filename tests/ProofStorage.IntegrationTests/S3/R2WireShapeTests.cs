using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Providers.S3;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>What the R2-configured client actually sends, captured on the wire against the real server.</summary>
public sealed class R2WireShapeTests(S3ServerFixture servers) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task R2PutObject_SendsOnePlainSignedBodyWithoutChunkingOrChecksumHeaders()
    {
        var capture = new ConcurrentQueue<CapturedRequest>();
        var prefix = S3TestHost.NewPrefix();
        using var factory = S3TestHost.Create(prefix, servers.Primary, type: "R2");
        // The provider's own HTTP stack, with a recorder between it and the sockets: what goes on the wire.
        factory.ConfigureServices = services => services.AddSingleton<HttpClientFactory>(CapturingHandler.ClientFactory(capture));
        using var client = factory.CreateClient();

        var (proofId, _) = await S3TestHost.StoreAsync(client, TestKeys.ImageHash("wire"), "{\"sig\":\"wire\"}");
        using (var delete = await client.DeleteAsync($"/v1/proofs/{proofId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        var puts = capture.Where(r => r.Method == "PUT").ToList();
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
            // A proof-sized body goes with its headers: no "Expect: 100-continue" round trip before it.
            Assert.Null(put.Header("Expect"));
            Assert.DoesNotContain(put.Headers.Keys, h => h.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase)
                || h.StartsWith("x-amz-sdk-checksum", StringComparison.OrdinalIgnoreCase));
        }

        // Deletes are single DeleteObject calls: no POST ?delete (DeleteObjects carries a checksum R2 rejects).
        Assert.DoesNotContain(capture, r => r.Method == "POST");
        Assert.Contains(capture, r => r.Method == "DELETE" && r.Path.EndsWith($"/proofs/{proofId}", StringComparison.Ordinal));
    }
}
