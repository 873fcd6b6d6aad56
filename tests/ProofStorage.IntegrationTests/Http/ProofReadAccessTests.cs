using System.Net;
using System.Net.Http.Headers;
using ProofStorage.IntegrationTests.Security;

namespace ProofStorage.IntegrationTests.Http;

/// <summary>
/// Reads of a cached proof go through the one pipeline (routing, <c>ApiAccessMiddleware</c>, the endpoint): a caller the
/// rule refuses never gets the proof, whatever spelling of the path it sends, and one it admits gets the same answer
/// however often it asks.
/// </summary>
public sealed class ProofReadAccessTests
{
    [Fact]
    public async Task CachedGet_ServesBothRepresentations_HeadWithoutBody_And304()
    {
        await using var factory = SecurityTestHost.Create();
        using var writer = factory.CreateClient(SecurityTestHost.WriterKey);
        using var reader = factory.CreateClient(SecurityTestHost.ReaderKey);
        var id = await SecurityTestHost.StoreAsync(writer, "cached-read");

        foreach (var gzip in new[] { false, true })
        {
            using var first = await SendAsync(reader, HttpMethod.Get, $"/v1/proofs/{id}", gzip);
            using var second = await SendAsync(reader, HttpMethod.Get, $"/V1/proofs/{id}", gzip);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal(gzip ? "gzip" : null, first.Content.Headers.ContentEncoding.SingleOrDefault());
            Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await second.Content.ReadAsByteArrayAsync());
            Assert.Equal(Headers(first), Headers(second));
        }

        using var head = await SendAsync(reader, HttpMethod.Head, $"/v1/proofs/{id}", gzip: false);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.NotNull(head.Headers.ETag);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/proofs/{id}");
        conditional.Headers.IfNoneMatch.Add(head.Headers.ETag!);
        using var notModified = await reader.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("psk_not-a-configured-key", HttpStatusCode.Unauthorized)]
    [InlineData(SecurityTestHost.WriterKey, HttpStatusCode.Forbidden)]
    [InlineData(SecurityTestHost.AdminKey, HttpStatusCode.Forbidden)]
    public async Task CachedGet_WithoutReadRights_IsRefused(string? key, HttpStatusCode expected)
    {
        await using var factory = SecurityTestHost.Create();
        using var writer = factory.CreateClient(SecurityTestHost.WriterKey);
        var id = await SecurityTestHost.StoreAsync(writer, "cached-refused");
        using var client = factory.CreateAnonymousClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", key);
        }

        using var response = await client.GetAsync($"/v1/proofs/{id}");

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task CachedGet_WithAnonymousReadsAllowed_IsServedWithoutAKey()
    {
        await using var factory = SecurityTestHost.Create(configure: s => s["ProofStorage:Auth:AllowAnonymousReads"] = "true");
        using var writer = factory.CreateClient(SecurityTestHost.WriterKey);
        var id = await SecurityTestHost.StoreAsync(writer, "cached-anonymous");
        using var anonymous = factory.CreateAnonymousClient();

        using var response = await anonymous.GetAsync($"/v1/proofs/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(id, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CachedGet_SpendsTheKeysRateLimit_AndOverItGets429()
    {
        await using var factory = SecurityTestHost.Create(configure: s =>
        {
            s["ProofStorage:RateLimit:Enabled"] = "true";
            s["ProofStorage:RateLimit:KeyBurst"] = "3";
            s["ProofStorage:RateLimit:KeyPermitsPerSecond"] = "1";
        });
        using var writer = factory.CreateClient(SecurityTestHost.WriterKey);
        using var reader = factory.CreateClient(SecurityTestHost.ReaderKey);
        var id = await SecurityTestHost.StoreAsync(writer, "cached-limited");

        // Cached reads until the first refusal: the burst of 3 is spent by cached hits like any other request.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 50 && !statuses.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            using var response = await reader.GetAsync($"/v1/proofs/{id}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 3, string.Join(",", statuses));
        Assert.All(statuses[..^1], s => Assert.Equal(HttpStatusCode.OK, s));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, bool gzip)
    {
        using var request = new HttpRequestMessage(method, path);
        if (gzip)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        return await client.SendAsync(request);
    }

    private static string Headers(HttpResponseMessage response) => string.Join('\n', response.Headers
        .Concat(response.Content.Headers)
        .Where(h => h.Key is not "Date")
        .OrderBy(h => h.Key, StringComparer.Ordinal)
        .Select(h => $"{h.Key}: {string.Join(',', h.Value)}"));
}
