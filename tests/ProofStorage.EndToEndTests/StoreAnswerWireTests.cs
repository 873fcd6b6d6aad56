using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests;

/// <summary>
/// What a store's answer looks like on the wire, from Kestrel: its length is known before the body is written, so it
/// goes out with <c>Content-Length</c> in one piece instead of chunked (the framework's <c>Ok&lt;T&gt;</c> streams and
/// flushes, which is a second send per duplicate store). Only a real server shows framing.
/// </summary>
public sealed class StoreAnswerWireTests : IAsyncLifetime
{
    private ServiceProcess _service = null!;

    public async Task InitializeAsync() => _service = await ServiceProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }

    [Fact]
    public async Task NewAndDuplicateStores_AreAnsweredWithContentLength_NotChunked()
    {
        var imageHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("store-answer-wire")));
        var json = "{\"imageHash\":\"" + imageHash + "\",\"proof\":{\"signature\":\"abc\",\"claims\":[1,2,3]}}";

        using var created = await _service.Client.PostAsync("/v1/proofs", new StringContent(json, Encoding.UTF8, "application/json"));
        using var duplicate = await _service.Client.PostAsync("/v1/proofs", new StringContent(json, Encoding.UTF8, "application/json"));

        foreach (var (response, status, deduplicated) in new[] { (created, HttpStatusCode.Created, false), (duplicate, HttpStatusCode.OK, true) })
        {
            Assert.Equal(status, response.StatusCode);
            Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            using var body = JsonDocument.Parse(bytes);
            Assert.Equal(deduplicated, body.RootElement.GetProperty("deduplicated").GetBoolean());
            Assert.Equal(imageHash, body.RootElement.GetProperty("imageHash").GetString());
            if (!deduplicated)
            {
                Assert.Equal($"/v1/proofs/{body.RootElement.GetProperty("proofId").GetString()}", response.Headers.Location?.OriginalString);
            }
        }
    }
}
