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
    private int _arrivals;

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
        Serve(answerWhen: Task.CompletedTask, status: 200);
        using var factory = Host("00:00:05");
        using var client = factory.CreateClient();
        var (proofId, hash) = await CdnHeaderTests.StoreAsync(client, "purge-ok", "{}");

        using var delete = await client.DeleteAsync($"/v1/proofs/{proofId}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        var (method, body) = await NextNoticeAsync();
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
        Serve(answerWhen: Task.CompletedTask, status: 200);
        using var factory = Host("00:00:05");
        using var client = factory.CreateClient();
        var label = Jumbf.NewLabel();
        var proofId = await C2pa.ManifestStoreApiTests.StoreAsync(client, "/v1/proofs", Jumbf.ManifestStoreBytes(label));

        using var delete = await client.DeleteAsync(C2pa.ManifestStoreApiTests.ManifestPath(label));

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        var (_, body) = await NextNoticeAsync();
        using var notice = JsonDocument.Parse(body);
        Assert.Equal(proofId, notice.RootElement.GetProperty("proofId").GetString());
        Assert.False(notice.RootElement.TryGetProperty("imageHash", out var hash) && hash.ValueKind != JsonValueKind.Null);
        Assert.Equal([$"/v1/proofs/{proofId}", $"/v1/proofs/{proofId}/manifest", $"/c2pa/v1/manifests/{label}", $"/c2pa/v1/manifests/{label}?returnActiveManifest=true"],
            notice.RootElement.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Delete_WebhookNeverAnswers_DeleteIsNotHeldAndStillHappens()
    {
        // The webhook holds every call until the test ends, and the service gives it the longest timeout allowed
        // (30 s): a delete that waited for the webhook could not finish before it, let alone two of them.
        Serve(answerWhen: new TaskCompletionSource().Task, status: 500);
        using var factory = Host("00:00:30");
        using var client = factory.CreateClient();
        var first = await CdnHeaderTests.StoreAsync(client, "purge-hang-1", "{}");
        var second = await CdnHeaderTests.StoreAsync(client, "purge-hang-2", "{}");
        using var beforeTheWebhookGivesUp = new CancellationTokenSource(TimeSpan.FromSeconds(25));

        using var deleteFirst = await client.DeleteAsync($"/v1/proofs/{first.ProofId}", beforeTheWebhookGivesUp.Token);
        using var deleteSecond = await client.DeleteAsync($"/v1/proofs/{second.ProofId}", beforeTheWebhookGivesUp.Token);

        Assert.Equal(HttpStatusCode.NoContent, deleteFirst.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleteSecond.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/proofs/{first.ProofId}")).StatusCode);
        Assert.Contains(first.ProofId, (await NextNoticeAsync()).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_WebhookTimesOut_TheQueueMovesOnToTheNextNotice()
    {
        // Notices go one at a time: the second reaches the webhook only once the first call gave up after its timeout.
        Serve(answerWhen: new TaskCompletionSource().Task, status: 500);
        using var factory = Host("00:00:02");
        using var client = factory.CreateClient();
        var first = await CdnHeaderTests.StoreAsync(client, "purge-timeout-1", "{}");
        var second = await CdnHeaderTests.StoreAsync(client, "purge-timeout-2", "{}");

        using var deleteFirst = await client.DeleteAsync($"/v1/proofs/{first.ProofId}");
        using var deleteSecond = await client.DeleteAsync($"/v1/proofs/{second.ProofId}");

        // Counted on arrival: each call is abandoned after 2 s, which on a busy machine can be before this listener got
        // to read its body, so the bodies are not what shows the queue moved on.
        await Poll.UntilAsync(() => Volatile.Read(ref _arrivals) >= 2, TimeSpan.FromSeconds(60), "the second notice to reach the webhook");
    }

    /// <summary>The next request the webhook received (waits for it; a generous deadline, not a timing).</summary>
    private async Task<(string Method, string Body)> NextNoticeAsync() =>
        await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

    private ProofStorageApiFactory Host(string timeout)
    {
        var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Cdn:PurgeWebhookUrl"] = _url;
        factory.Settings["ProofStorage:Cdn:PurgeWebhookTimeout"] = timeout;
        factory.Settings["ProofStorage:Cdn:PublicBaseUrl"] = "https://cdn.example.test";
        return factory;
    }

    /// <summary>Answers every request with <paramref name="status"/> once <paramref name="answerWhen"/> completes (or never), recording each body on arrival.</summary>
    private void Serve(Task answerWhen, int status) => _ = Task.Run(async () =>
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

            Interlocked.Increment(ref _arrivals);

            _ = Task.Run(async () =>
            {
                try
                {
                    using var reader = new StreamReader(context.Request.InputStream);
                    await _received.Writer.WriteAsync((context.Request.HttpMethod, await reader.ReadToEndAsync()));
                    await answerWhen.WaitAsync(_stop.Token);
                    context.Response.StatusCode = status;
                    context.Response.Close();
                }
                catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException or IOException)
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
