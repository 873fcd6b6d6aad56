using System.Net;
using Amazon.Runtime;

namespace ProofStorage.Providers.S3;

/// <summary>
/// The HTTP stack of the S3/R2 clients: what the SDK's own factory sets from the client configuration (time-outs,
/// connection limit, redirects, no decompression), with <see cref="SmallBodyHandler"/> in front of the sockets.
/// </summary>
/// <param name="transport">The innermost handler (tests put a recording handler around the sockets here).</param>
internal sealed class S3HttpClientFactory(Func<IClientConfig, HttpMessageHandler>? transport = null) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        ArgumentNullException.ThrowIfNull(clientConfig);
        var inner = transport?.Invoke(clientConfig) ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = clientConfig.AllowAutoRedirect,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            MaxConnectionsPerServer = clientConfig.MaxConnectionsPerServer ?? int.MaxValue,
            ConnectTimeout = clientConfig.ConnectTimeout ?? Timeout.InfiniteTimeSpan,
        };
#pragma warning disable CA2000 // the HttpClient owns and disposes its handler chain
        return new HttpClient(new SmallBodyHandler { InnerHandler = inner }) { Timeout = clientConfig.Timeout ?? Timeout.InfiniteTimeSpan };
#pragma warning restore CA2000
    }

    /// <summary>
    /// Sends a small request body with its headers. The SDK asks for <c>Expect: 100-continue</c> on every PutObject:
    /// each write then costs an extra round trip (headers, the server's interim 100, then the body) so as not to send
    /// a body the server would refuse. For a body under <see cref="ExpectContinueMinBytes"/> sending it at once
    /// costs less than that wait, refused (a create-if-absent of an existing proof) or not; larger bodies keep it.
    /// </summary>
    internal sealed class SmallBodyHandler : DelegatingHandler
    {
        /// <summary>Bodies from this size on wait for the server's <c>100 Continue</c>.</summary>
        internal const long ExpectContinueMinBytes = 1024 * 1024;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (request.Headers.ExpectContinue == true && request.Content?.Headers.ContentLength is { } length && length < ExpectContinueMinBytes)
            {
                request.Headers.ExpectContinue = false;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
