using System.Net;
using Amazon.S3;
using ProofStorage.Providers.S3;

namespace ProofStorage.UnitTests.Providers;

public sealed class S3HttpClientFactoryTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(4 * 1024, false)]
    [InlineData(S3HttpClientFactory.SmallBodyHandler.ExpectContinueMinBytes - 1, false)]
    [InlineData(S3HttpClientFactory.SmallBodyHandler.ExpectContinueMinBytes, true)]
    [InlineData(8 * 1024 * 1024, true)]
    public async Task SmallBodyHandler_AskedForContinue_WaitsOnlyForALargeBody(long length, bool expectContinue)
    {
        var sent = await SendAsync(new HttpRequestMessage(HttpMethod.Put, "http://s3.test/b/k")
        {
            Headers = { ExpectContinue = true },
            Content = new LengthOnlyContent(length),
        });

        Assert.Equal(expectContinue, sent.Headers.ExpectContinue == true);
    }

    [Fact]
    public async Task SmallBodyHandler_RequestWithoutBodyOrExpect_IsLeftAlone()
    {
        var get = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://s3.test/b/k"));
        Assert.Null(get.Headers.ExpectContinue);
    }

    [Fact]
    public void CreateHttpClient_TakesTheTimeoutFromTheClientConfig()
    {
        var config = new AmazonS3Config { ServiceURL = "http://s3.test", Timeout = TimeSpan.FromSeconds(7) };
        using var client = new S3HttpClientFactory().CreateHttpClient(config);
        Assert.Equal(TimeSpan.FromSeconds(7), client.Timeout);
    }

    private static async Task<HttpRequestMessage> SendAsync(HttpRequestMessage request)
    {
        var terminal = new RecordingHandler();
        var config = new AmazonS3Config { ServiceURL = "http://s3.test" };
        using var client = new S3HttpClientFactory(_ => terminal).CreateHttpClient(config);
        using (request)
        using (await client.SendAsync(request))
        {
            return terminal.Last!;
        }
    }

    /// <summary>The end of the chain: records the request as the sockets would have received it.</summary>
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public HttpRequestMessage? Last { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Last = request;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }

    /// <summary>A body of a given declared length that is never read (the recording handler does not send it).</summary>
    private sealed class LengthOnlyContent : HttpContent
    {
        public LengthOnlyContent(long length) => Headers.ContentLength = length;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => Task.CompletedTask;

        protected override bool TryComputeLength(out long length)
        {
            length = Headers.ContentLength ?? 0;
            return true;
        }
    }
}
