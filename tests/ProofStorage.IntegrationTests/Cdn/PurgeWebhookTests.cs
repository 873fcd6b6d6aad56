using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Cdn;

/// <summary>The optional CDN purge webhook, against a real HTTP listener on loopback.</summary>
public sealed class PurgeWebhookTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<(string Method, string Body)> _received = Channel.CreateUnbounded<(string, string)>();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _url;

    public PurgeWebhookTests()
    {
        var port = FreePort();
        _url = $"http://127.0.0.1:{port}/purge/";
        _listener.Prefixes.Add(_url);
        _listener.Start();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }

    [Fact]
    public async Task Delete_WebhookConfigured_PostsTheProofsPathsAndCdnUrls()
    {
        Serve(respondAfter: TimeSpan.Zero, status: 200);
        using var factory = Host("00:00:05");
        using var client = factory.CreateClient();
        var (proofId, hash) = await CdnHeaderTests.StoreAsync(client, "purge-ok", "{}");

        using var delete = await client.DeleteAsync($"/v1/proofs/{proofId}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        var (method, body) = await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("POST", method);
        using var notice = JsonDocument.Parse(body);
        Assert.Equal("proof.deleted", notice.RootElement.GetProperty("event").GetString());
        Assert.Equal(proofId, notice.RootElement.GetProperty("proofId").GetString());
        Assert.Equal(hash, notice.RootElement.GetProperty("imageHash").GetString());
        Assert.Equal([$"/v1/proofs/{proofId}", $"/v1/proofs/{proofId}/manifest", $"/v1/proofs/by-image/{hash}"],
            notice.RootElement.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal($"https://cdn.example.test/v1/proofs/by-image/{hash}", notice.RootElement.GetProperty("urls")[2].GetString());
    }

    [Fact]
    public async Task DeleteByManifestId_WebhookConfigured_NamesTheC2paFetchPathsToo()
    {
        Serve(respondAfter: TimeSpan.Zero, status: 200);
        using var factory = Host("00:00:05");
        using var client = factory.CreateClient();
        var label = Jumbf.NewLabel();
        var proofId = await C2pa.ManifestStoreApiTests.StoreAsync(client, "/v1/proofs", Jumbf.ManifestStoreBytes(label));

        using var delete = await client.DeleteAsync(C2pa.ManifestStoreApiTests.ManifestPath(label));

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        var (_, body) = await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        using var notice = JsonDocument.Parse(body);
        Assert.Equal(proofId, notice.RootElement.GetProperty("proofId").GetString());
        Assert.False(notice.RootElement.TryGetProperty("imageHash", out var hash) && hash.ValueKind != JsonValueKind.Null);
        Assert.Equal([$"/v1/proofs/{proofId}", $"/v1/proofs/{proofId}/manifest", $"/c2pa/v1/manifests/{label}", $"/c2pa/v1/manifests/{label}?returnActiveManifest=true"],
            notice.RootElement.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Delete_WebhookHangsOrFails_DeleteIsNotDelayedAndStillHappens()
    {
        Serve(respondAfter: TimeSpan.FromSeconds(20), status: 500);
        using var factory = Host("00:00:00.5");
        using var client = factory.CreateClient();
        var first = await CdnHeaderTests.StoreAsync(client, "purge-hang-1", "{}");
        var second = await CdnHeaderTests.StoreAsync(client, "purge-hang-2", "{}");

        var watch = Stopwatch.StartNew();
        using var deleteFirst = await client.DeleteAsync($"/v1/proofs/{first.ProofId}");
        using var deleteSecond = await client.DeleteAsync($"/v1/proofs/{second.ProofId}");
        watch.Stop();

        Assert.Equal(HttpStatusCode.NoContent, deleteFirst.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleteSecond.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"two deletes took {watch.Elapsed} with a webhook that never answers");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/proofs/{first.ProofId}")).StatusCode);

        // The first call timed out after 0.5 s and the queue moved on: the second notice arrives too.
        var bodies = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            bodies.Add((await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Body);
        }

        Assert.Contains(bodies, b => b.Contains(second.ProofId, StringComparison.Ordinal));
    }

    private ProofStorageApiFactory Host(string timeout)
    {
        var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Cdn:PurgeWebhookUrl"] = _url;
        factory.Settings["ProofStorage:Cdn:PurgeWebhookTimeout"] = timeout;
        factory.Settings["ProofStorage:Cdn:PublicBaseUrl"] = "https://cdn.example.test";
        return factory;
    }

    /// <summary>Answers every request with <paramref name="status"/> after <paramref name="respondAfter"/>, recording each body on arrival.</summary>
    private void Serve(TimeSpan respondAfter, int status) => _ = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using var reader = new StreamReader(context.Request.InputStream);
                await _received.Writer.WriteAsync((context.Request.HttpMethod, await reader.ReadToEndAsync()));
                try
                {
                    await Task.Delay(respondAfter, _stop.Token);
                    context.Response.StatusCode = status;
                    context.Response.Close();
                }
                catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException)
                {
                    // The test is over or the client gave up.
                }
            });
        }
    });

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
