using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.IntegrationTests.Security;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Http;

/// <summary>
/// Spellings of a proof's paths (case, trailing and doubled slashes, percent-encoding, dot segments, <c>%2F</c>) sent
/// as raw bytes to Kestrel, which is what normalises them in production (an <c>HttpClient</c> would tidy them first).
/// Whatever the spelling, a caller the access rule refuses never receives the proof: each variant either reaches an
/// endpoint, and then its rule, or matches no route.
/// </summary>
public sealed class PathVariantAccessTests : IAsyncLifetime
{
    private ProofStorageApiFactory _factory = null!;
    private Uri _server = null!;
    private string _id = null!;
    private string _hash = null!;

    public async Task InitializeAsync()
    {
        _factory = SecurityTestHost.Create();
        // A loopback port Kestrel picks (UseKestrel(0) races the minimal host's start and can throw).
        _factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        _factory.StartServer();
        // The address Kestrel listens on (port 0: the one it picked).
        _server = new Uri(_factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var writer = _factory.CreateClient(SecurityTestHost.WriterKey);
        _id = await SecurityTestHost.StoreAsync(writer, "path-variants");
        _hash = TestKeys.ImageHash("path-variants");
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private IEnumerable<string> Variants() =>
    [
        $"/v1/proofs/{_id}", $"/v1/proofs/{_id}/", $"/V1/PROOFS/{_id}", $"/v1/Proofs/{_id}",
        $"//v1/proofs/{_id}", $"/v1//proofs/{_id}", $"/v1/proofs//{_id}", $"/v1/proofs/{_id}//",
        $"/v1/%70roofs/{_id}", $"/%76%31/proofs/{_id}", $"/v1/proofs%2F{_id}", $"/v1%2Fproofs%2F{_id}", $"/v1/proofs/{_id}%2F",
        $"/v1/x/../proofs/{_id}", $"/v1/./proofs/{_id}", $"/v1/proofs/./{_id}", $"/v1/proofs/x/../{_id}", $"/v1/proofs/%2e%2e/proofs/{_id}",
        $"/v1/x/%2e%2e/proofs/{_id}", $"/health/../v1/proofs/{_id}", $"/health/%2e%2e/v1/proofs/{_id}", $"/health/live/../../v1/proofs/{_id}",
        $"/swagger/../v1/proofs/{_id}", $"/metrics/../v1/proofs/{_id}",
        $"/v1/proofs/{_id}?x=1", $"/v1/proofs/{_id}/manifest", $"/v1/proofs/{_id}/MANIFEST/", $"/v1/proofs//{_id}/manifest",
        $"/v1/proofs/by-image/{_hash}", $"/v1/proofs/by-image/{_hash}/", $"/v1/proofs/BY-IMAGE/{_hash}", $"/v1/proofs/by-image//{_hash}",
        $"/v1/proofs/%62y-image/{_hash}", $"/v1/proofs/{_id}/url",
    ];

    [Theory]
    [InlineData(null)]
    [InlineData("psk_not-a-configured-key")]
    [InlineData(SecurityTestHost.WriterKey)]
    [InlineData(SecurityTestHost.AdminKey)]
    [InlineData(SecurityTestHost.DeleterKey)]
    public async Task NoSpellingOfAProofPath_ServesTheProof_ToACallerWithoutReadRights(string? key)
    {
        foreach (var method in new[] { "GET", "HEAD" })
        {
            foreach (var path in Variants())
            {
                var refused = await SendAsync(method, path, key);
                var admitted = await SendAsync(method, path, SecurityTestHost.ReaderKey);

                Assert.False(refused.Status is >= 200 and < 300, $"{method} {path} with {key ?? "no key"}: {refused.Status}");
                Assert.DoesNotContain(_id, refused.Body, StringComparison.Ordinal);
                Assert.DoesNotContain(_hash, refused.Body, StringComparison.Ordinal);

                // A spelling that reaches a read endpoint is refused by its rule (401 without a valid key, 403 with one);
                // any other matches no route, and a caller that could read gets 404 for it too.
                if (admitted.Status is >= 200 and < 300)
                {
                    Assert.Contains(refused.Status, new[] { 401, 403 });
                }
                else
                {
                    Assert.Contains(admitted.Status, new[] { 400, 404, 405 });
                }
            }
        }
    }

    [Fact]
    public async Task EverySpellingAReaderIsServed_IsTheSameProof()
    {
        var served = 0;
        foreach (var path in Variants().Where(p => !p.Contains("manifest", StringComparison.OrdinalIgnoreCase) && !p.EndsWith("/url", StringComparison.Ordinal)))
        {
            var response = await SendAsync("GET", path, SecurityTestHost.ReaderKey);
            if (response.Status == 200)
            {
                served++;
                Assert.Contains($"\"proofId\":\"{_id}\"", response.Body, StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains(response.Status, new[] { 400, 404 });
            }
        }

        Assert.True(served >= 4, $"only {served} spellings were served: the canonical path, case, trailing slash and by-image should be");
    }

    /// <summary>One request on its own connection, the path exactly as given.</summary>
    private async Task<(int Status, string Body)> SendAsync(string method, string path, string? key)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_server.Host, _server.Port);
        await using var stream = client.GetStream();
        var request = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: {_server.Authority}\r\nConnection: close\r\n");
        if (key is not null)
        {
            request.Append("X-Api-Key: ").Append(key).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var status = int.Parse(response.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        return (status, response);
    }
}
