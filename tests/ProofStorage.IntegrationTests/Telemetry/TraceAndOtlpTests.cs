using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Telemetry;

/// <summary>The service as a real process (Production): trace ids in its console log, Prometheus and OTLP export.</summary>
public sealed class TraceAndOtlpTests
{
    [Fact]
    public async Task RequestLog_ForARequestWithTraceparent_CarriesTheCallersTraceId()
    {
        await using var service = await ServiceProcess.StartAsync(DataPath());
        var traceId = ActivityTraceId.CreateRandom().ToHexString();

        using var stored = await Store(service.Client, traceId, "trace-log");
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);

        // The request-completion line is written after the response has been sent: wait for that line itself
        // (another line of the same request, e.g. the store's own, can arrive before it).
        await service.WaitForLogAsync("HTTP POST /v1/proofs responded 201", TimeSpan.FromSeconds(60));
        var requestLine = service.Output.Split('\n').Single(l => l.Contains("HTTP POST /v1/proofs responded 201", StringComparison.Ordinal));
        Assert.Contains($"(trace {traceId} span ", requestLine, StringComparison.Ordinal);

        // Production, no key: the scrape endpoint is anonymous by default.
        using var anonymous = new HttpClient { BaseAddress = service.Client.BaseAddress };
        using var metrics = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.True(new PrometheusText(await metrics.Content.ReadAsStringAsync()).Sum("proofstorage_proofs_created_total") >= 1);
    }

    [Fact]
    public async Task RequestLog_ForAnErrorMappedToAProblemOrAClientThatLeft_LogsTheStatusSentAndNoError()
    {
        await using var service = await ServiceProcess.StartAsync(DataPath());

        // A body that is not a manifest store: thrown by the store, answered 400 by the exception handler.
        using var notAManifest = new ByteArrayContent("not a manifest store"u8.ToArray());
        notAManifest.Headers.ContentType = new("application/c2pa");
        using var refused = await service.Client.PostAsync("/v1/proofs", notAManifest);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        // A client that sends half a lookup body and goes away (answered 400 or 499, depending on when the service
        // notices: either way the client's doing, not the service's).
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(service.BaseAddress.Host, service.BaseAddress.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes(
                $"POST /v1/proofs/lookup HTTP/1.1\r\nHost: test\r\nX-Api-Key: {service.ApiKey}\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100000\r\n\r\n{\"ids\":[\""));
        }

        // Before: both were logged "responded 500" at Error, with the exception, while the clients got a 400 or nothing.
        await service.WaitForLogAsync("INF] HTTP POST /v1/proofs responded 400", TimeSpan.FromSeconds(60));
        await service.WaitForLogAsync("INF] HTTP POST /v1/proofs/lookup responded 4", TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(service.Output.Split('\n'), l => l.Contains("responded 5", StringComparison.Ordinal) || l.Contains(" ERR]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Otlp_EndpointConfigured_ExportsTheRequestsSpansAndTheStoresMetrics()
    {
        using var collector = new OtlpReceiver();
        await using var service = await ServiceProcess.StartAsync(DataPath(), new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        var traceId = ActivityTraceId.CreateRandom().ToHexString();

        using var stored = await Store(service.Client, traceId, "otlp");
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);

        // OTLP/protobuf carries ids as raw bytes and names as UTF-8: enough to recognise without decoding.
        var traceBytes = Convert.FromHexString(traceId);
        // The provider span ends first, so the batch exporter may send it in an earlier export than the store span.
        await collector.WaitForAsync("/v1/traces", body => Contains(body, traceBytes) && Contains(body, "proofstorage.store"u8.ToArray()));
        await collector.WaitForAsync("/v1/traces", body => Contains(body, traceBytes) && Contains(body, "provider put"u8.ToArray()));
        await collector.WaitForAsync("/v1/metrics", body => Contains(body, "proofstorage.proofs.created"u8.ToArray()));
    }

    private static Task<HttpResponseMessage> Store(HttpClient client, string traceId, string label)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/proofs")
        {
            Content = new StringContent($"{{\"imageHash\":\"{TestKeys.ImageHash(label + Guid.NewGuid())}\",\"proof\":[1]}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        return client.SendAsync(request);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static string DataPath() => TestFolders.New("telemetry");

    /// <summary>An OTLP/HTTP endpoint on a free loopback port that answers every export with success and keeps the bodies.</summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
        private readonly Task _loop;

        public OtlpReceiver()
        {
            var port = FreePort();
            Endpoint = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Endpoint + "/");
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public string Endpoint { get; }

        public async Task<byte[]> WaitForAsync(string path, Func<byte[], bool> match)
        {
            byte[]? found = null;
            await Poll.UntilAsync(() => (found = _received.FirstOrDefault(r => r.Path == path && match(r.Body)).Body) is not null, TimeSpan.FromSeconds(60),
                () => $"a matching OTLP export to {path}; received: {string.Join(", ", _received.Select(r => $"{r.Path} ({r.Body.Length} B)"))}");
            return found!;
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // The listener was stopped under the loop.
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
