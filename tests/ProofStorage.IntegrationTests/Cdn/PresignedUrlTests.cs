using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Web;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Cdn;

/// <summary>A local S3 server that checks SigV4 signatures (the shared fixture's servers accept any).</summary>
public sealed class SignatureCheckingS3ServerFixture : IAsyncLifetime
{
    public S3Server Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await S3Server.StartAsync(checkSignatures: true);

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>
/// <c>GET /v1/proofs/{id}/url</c> in Presigned mode against the real local S3 server: the URL fetches the stored
/// envelope until it expires and is refused after; lifetimes are clamped and validated.
/// </summary>
public sealed class PresignedUrlTests(S3ServerFixture servers, SignatureCheckingS3ServerFixture strict)
    : IClassFixture<S3ServerFixture>, IClassFixture<SignatureCheckingS3ServerFixture>
{
    [Theory]
    [InlineData("S3")]
    [InlineData("R2")]
    public async Task Url_PresignedMode_FetchesTheStoredEnvelopeBeforeExpiryAnd403After(string type)
    {
        var prefix = S3TestHost.NewPrefix();
        using var factory = Presigning(S3TestHost.Create(prefix, servers.Primary, type: type), expiry: "00:00:01");
        using var client = factory.CreateClient();
        var (proofId, _) = await CdnHeaderTests.StoreAsync(client, "presigned-" + type, "{\"sig\":\"presigned\"}");
        var stored = (await S3TestHost.ReadBucketAsync(servers.Primary, prefix))[$"{prefix}proofs/{proofId}"];
        using var direct = new HttpClient();

        // Before expiry: a URL that lives long enough for any machine to use it fetches the envelope as stored.
        var (lasting, lastingExpiry) = await PresignAsync(client, proofId, "?expiresIn=600");
        Assert.Equal("600", Query(lasting, "X-Amz-Expires"));
        Assert.Equal(SignedAt(lasting).AddSeconds(600), lastingExpiry);
        using (var before = await direct.GetAsync(lasting))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.Equal(stored, await before.Content.ReadAsByteArrayAsync());
        }

        // After expiry: the configured one-second URL. The server compares its clock (this machine's) with
        // X-Amz-Date + X-Amz-Expires, whole seconds, so poll until it refuses: every answer must agree with
        // the expiry the API reported, however long each request took.
        var (url, expiresAt) = await PresignAsync(client, proofId);
        Assert.Equal("1", Query(url, "X-Amz-Expires"));
        Assert.Equal(SignedAt(url).AddSeconds(1), expiresAt);
        HttpStatusCode status;
        string refusal;
        do
        {
            var sentAt = DateTimeOffset.UtcNow;
            using var response = await direct.GetAsync(url);
            status = response.StatusCode;
            refusal = status == HttpStatusCode.OK ? string.Empty : await response.Content.ReadAsStringAsync();
            if (status == HttpStatusCode.OK)
            {
                Assert.True(sentAt <= expiresAt, $"the server honoured a URL sent at {sentAt:O}, after its expiry {expiresAt:O}");
                Assert.Equal(stored, await response.Content.ReadAsByteArrayAsync());
                Assert.True(DateTimeOffset.UtcNow < expiresAt.AddSeconds(60), $"the URL expiring at {expiresAt:O} was still honoured a minute later");
                await Task.Delay(Poll.Interval);
            }
        }
        while (status == HttpStatusCode.OK);

        var refusedAt = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Request has expired", refusal, StringComparison.Ordinal);
        Assert.True(refusedAt > expiresAt, $"refused at {refusedAt:O}, before the reported expiry {expiresAt:O}");
    }

    [Fact]
    public async Task Url_ExpiresInOverTheMaximum_IsClampedToTheConfiguredMaximum()
    {
        using var factory = Presigning(S3TestHost.Create(S3TestHost.NewPrefix(), servers.Primary), expiry: "00:00:10", max: "00:00:45");
        using var client = factory.CreateClient();
        var (proofId, _) = await CdnHeaderTests.StoreAsync(client, "presigned-clamp", "{}");

        var (asked, askedExpiry) = await PresignAsync(client, proofId, "?expiresIn=30");
        var (clamped, clampedExpiry) = await PresignAsync(client, proofId, "?expiresIn=604800");
        var (byDefault, _) = await PresignAsync(client, proofId);

        Assert.Equal("30", Query(asked, "X-Amz-Expires"));
        Assert.Equal(SignedAt(asked).AddSeconds(30), askedExpiry);
        Assert.Equal("45", Query(clamped, "X-Amz-Expires"));
        Assert.Equal(SignedAt(clamped).AddSeconds(45), clampedExpiry);
        Assert.Equal("10", Query(byDefault, "X-Amz-Expires"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("ten")]
    public async Task Url_InvalidExpiresIn_Returns400ProblemDetailsInPresignedMode(string expiresIn)
    {
        using var factory = Presigning(S3TestHost.Create(S3TestHost.NewPrefix(), servers.Primary));
        using var client = factory.CreateClient();
        var (proofId, _) = await CdnHeaderTests.StoreAsync(client, "presigned-invalid-" + expiresIn, "{}");

        var problem = await ProofApiTests.AssertProblem(await client.GetAsync($"/v1/proofs/{proofId}/url?expiresIn={expiresIn}"), HttpStatusCode.BadRequest);

        Assert.Contains("expiresIn", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Url_UnknownProofInPresignedMode_Returns404InsteadOfSigningAMissingKey()
    {
        using var factory = Presigning(S3TestHost.Create(S3TestHost.NewPrefix(), servers.Primary));
        using var client = factory.CreateClient();

        await ProofApiTests.AssertProblem(await client.GetAsync("/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA/url"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Url_FailoverPair_SignsForThePrimaryCopy()
    {
        var prefix = S3TestHost.NewPrefix();
        using var factory = Presigning(S3TestHost.Create(prefix, servers.Primary, servers.Secondary));
        using var client = factory.CreateClient();
        var (proofId, _) = await CdnHeaderTests.StoreAsync(client, "presigned-pair", "{}");

        var (url, _) = await PresignAsync(client, proofId);

        Assert.Equal(new Uri(servers.Primary.Endpoint).Authority, url.Authority);
        using var direct = new HttpClient();
        Assert.Equal((await S3TestHost.ReadBucketAsync(servers.Primary, prefix))[$"{prefix}proofs/{proofId}"], await direct.GetByteArrayAsync(url));
    }

    [Fact]
    public async Task Url_SignatureCheckingServer_AcceptsTheUrlAndRefusesOneWithAStretchedExpiry()
    {
        var prefix = S3TestHost.NewPrefix();
        using var factory = Presigning(S3TestHost.Create(prefix, strict.Server), expiry: "00:05:00");
        using var client = factory.CreateClient();
        var (proofId, _) = await CdnHeaderTests.StoreAsync(client, "presigned-strict", "{}");
        var (url, _) = await PresignAsync(client, proofId);
        var stretched = new Uri(url.AbsoluteUri.Replace("X-Amz-Expires=300", "X-Amz-Expires=600", StringComparison.Ordinal));
        Assert.NotEqual(url, stretched);

        using var direct = new HttpClient();
        using var genuine = await direct.GetAsync(url);
        using var forged = await direct.GetAsync(stretched);

        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("SignatureDoesNotMatch", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static ProofStorageApiFactory Presigning(ProofStorageApiFactory factory, string? expiry = null, string? max = null)
    {
        factory.Settings["ProofStorage:Cdn:UrlMode"] = "Presigned";
        if (expiry is not null)
        {
            factory.Settings["ProofStorage:Cdn:PresignedUrlExpiry"] = expiry;
        }

        if (max is not null)
        {
            factory.Settings["ProofStorage:Cdn:MaxPresignedUrlExpiry"] = max;
        }

        return factory;
    }

    private static async Task<(Uri Url, DateTimeOffset ExpiresAt)> PresignAsync(HttpClient client, string proofId, string query = "")
    {
        using var response = await client.GetAsync($"/v1/proofs/{proofId}/url{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        using var body = JsonDocument.Parse(text);
        Assert.Equal("presigned", body.RootElement.GetProperty("kind").GetString());
        var expiresAt = DateTimeOffset.Parse(body.RootElement.GetProperty("expiresAt").GetString()!, CultureInfo.InvariantCulture);
        return (new Uri(body.RootElement.GetProperty("url").GetString()!), expiresAt);
    }

    private static string? Query(Uri url, string name) => HttpUtility.ParseQueryString(url.Query)[name];

    private static DateTimeOffset SignedAt(Uri url) =>
        DateTimeOffset.ParseExact(Query(url, "X-Amz-Date")!, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
