using System.Collections.Concurrent;
using Amazon.Runtime;
using ProofStorage.Providers.S3;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>One request as the provider's HTTP stack sent it.</summary>
internal sealed record CapturedRequest(string Method, string Path, Dictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Records every request between the S3 provider and the sockets: what goes on the wire.</summary>
internal sealed class CapturingHandler(ConcurrentQueue<CapturedRequest> requests) : DelegatingHandler
{
    /// <summary>The provider's own HTTP stack with a recorder in front of the sockets; register it as the container's <see cref="HttpClientFactory"/>.</summary>
    public static HttpClientFactory ClientFactory(ConcurrentQueue<CapturedRequest> requests) =>
        new S3HttpClientFactory(_ => new CapturingHandler(requests) { InnerHandler = new SocketsHttpHandler() });

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
