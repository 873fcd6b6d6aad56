using System.Net;
using System.Text;
using ProofStorage.Client;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests.Clients;

/// <summary>ProofStorage.Client against the real service process on Kestrel: every endpoint, as a .NET caller uses it.</summary>
public sealed class DotNetClientTests(ClientServiceFixture fixture) : IClassFixture<ClientServiceFixture>
{
    private readonly IProofStorageClient _client = fixture.CreateClient();

    private static string NewImageHash() => TestKeys.ImageHash("dotnet-client-" + Guid.NewGuid().ToString("N"));

    private static StoreProofRequest Request(string imageHash, string proofJson, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(imageHash, ProofContent.FromJson(proofJson)) { Metadata = metadata };

    [Fact]
    public async Task StoreProofAsync_NewImage_CreatesIt_AndBothGetsReturnTheProofBytesExactly()
    {
        var imageHash = NewImageHash();
        // Number forms, escapes and spacing that a parse and re-serialise would not keep.
        const string proof = "{\"claim\" : {\"n\":1.0,\"big\":12345678901234567890,\"e\":1e2},\"sig\":\"\\u00e9\\/x\", \"list\":[ ]}";

        var stored = await _client.StoreProofAsync(Request(imageHash, proof, new Dictionary<string, string> { ["source"] = "dotnet-client" }));

        Assert.False(stored.Deduplicated);
        Assert.Equal(imageHash, stored.ImageHash);
        Assert.Equal($"/v1/proofs/{stored.ProofId}", stored.Location?.OriginalString);
        var byId = await _client.GetProofAsync(stored.ProofId);
        Assert.Equal(ProofReadStatus.Ok, byId.Status);
        Assert.Equal(proof, Encoding.UTF8.GetString(byId.Value!.ProofJson.Span));
        Assert.Equal("dotnet-client", byId.Value.Metadata["source"]);
        Assert.Equal(stored.CreatedAt, byId.Value.CreatedAt);
        var byImage = await _client.GetProofByImageAsync(imageHash);
        Assert.Equal(stored.ProofId, byImage.Value!.ProofId);
        Assert.Equal(proof, Encoding.UTF8.GetString(byImage.Value.ProofJson.Span));
    }

    [Fact]
    public async Task StoreProofAsync_SameImageTwice_SecondIsDeduplicated_WithTheFirstId()
    {
        var imageHash = NewImageHash();
        var first = await _client.StoreProofAsync(Request(imageHash, "{\"v\":1}"));

        var second = await _client.StoreProofAsync(Request(imageHash, "{\"v\":2}"));

        Assert.True(second.Deduplicated);
        Assert.Equal(first.ProofId, second.ProofId);
        Assert.Null(second.Location);
        var read = await _client.GetProofAsync(first.ProofId);
        Assert.Equal("{\"v\":1}", Encoding.UTF8.GetString(read.Value!.ProofJson.Span));
    }

    [Fact]
    public async Task HeadAndConditionalGets_ReturnTheETag_AndNotModifiedForIt()
    {
        var stored = await _client.StoreProofAsync(Request(NewImageHash(), "{\"head\":true}"));

        var head = await _client.HeadProofAsync(stored.ProofId);

        Assert.Equal(ProofReadStatus.Ok, head.Status);
        Assert.Matches("^\"[^\"]+\"$", head.ETag);
        Assert.Contains("immutable", head.CacheControl, StringComparison.Ordinal);
        Assert.Equal($"</v1/proofs/{stored.ProofId}/manifest>; rel=\"c2pa-manifest\"", head.Link);
        Assert.True(head.Value!.ContentLength > 0);
        Assert.Equal(ProofReadStatus.NotModified, (await _client.GetProofAsync(stored.ProofId, head.ETag)).Status);
        Assert.Equal(ProofReadStatus.NotModified, (await _client.HeadProofAsync(stored.ProofId, head.ETag)).Status);
        Assert.Equal(ProofReadStatus.NotModified, (await _client.GetProofByImageAsync(stored.ImageHash!, head.ETag)).Status);
        Assert.Equal(head.ETag, (await _client.HeadProofByImageAsync(stored.ImageHash!)).ETag);
        Assert.Equal(ProofReadStatus.Ok, (await _client.GetProofAsync(stored.ProofId, "\"another\"")).Status);

        var manifestHead = await _client.HeadProofManifestAsync(stored.ProofId);
        Assert.NotEqual(head.ETag, manifestHead.ETag);
        var manifest = await _client.GetProofManifestAsync(stored.ProofId, manifestHead.ETag);
        Assert.Equal(ProofReadStatus.NotModified, manifest.Status);
        Assert.Null(manifest.Value);
    }

    [Fact]
    public async Task Reads_OfAProofThatDoesNotExist_AreNotFoundResults()
    {
        const string unknown = "NoSuchProof0000000000a";

        Assert.Equal(ProofReadStatus.NotFound, (await _client.GetProofAsync(unknown)).Status);
        Assert.Equal(ProofReadStatus.NotFound, (await _client.GetProofByImageAsync(NewImageHash())).Status);
        Assert.Equal(ProofReadStatus.NotFound, (await _client.HeadProofAsync(unknown)).Status);
        Assert.Equal(ProofReadStatus.NotFound, (await _client.GetProofManifestAsync(unknown)).Status);
        Assert.Null(await _client.GetProofUrlAsync(unknown));
    }

    [Fact]
    public async Task StoreProofBatchAsync_WithAnInvalidItem_FailsThatItemOnly()
    {
        var existing = await _client.StoreProofAsync(Request(NewImageHash(), "{\"batch\":\"before\"}"));

        var results = await _client.StoreProofBatchAsync(
        [
            Request(NewImageHash(), "{\"batch\":0}"),
            Request("not-a-sha256", "{\"batch\":1}"),
            Request(existing.ImageHash!, "{\"batch\":2}"),
        ]);

        Assert.Equal([201, 400, 200], results.Select(r => r.Status));
        Assert.Equal([true, false, true], results.Select(r => r.Succeeded));
        Assert.Equal("urn:proofstorage:problem:validation", results[1].Type);
        Assert.Contains("imageHash", results[1].Error, StringComparison.Ordinal);
        Assert.Equal(existing.ProofId, results[2].ProofId);
        Assert.True(results[2].Deduplicated);
    }

    [Fact]
    public async Task LookupProofsAsync_ReturnsTheRecordsFoundInOrder_WithExactProofs_AndTheMissingIds()
    {
        var a = await _client.StoreProofAsync(Request(NewImageHash(), "[1, 2.50, \"a\"]"));
        var b = await _client.StoreProofAsync(Request(NewImageHash(), "\"just a string\""));

        var result = await _client.LookupProofsAsync([a.ProofId, "MissingProof000000000a", b.ProofId]);

        Assert.Equal([a.ProofId, b.ProofId], result.Found.Select(r => r.ProofId));
        Assert.Equal(["[1, 2.50, \"a\"]", "\"just a string\""], result.Found.Select(r => Encoding.UTF8.GetString(r.ProofJson.Span)));
        Assert.Equal(["MissingProof000000000a"], result.Missing);
    }

    [Fact]
    public async Task DeleteProofAsync_RemovesIt_AndASecondDeleteReportsNothingToDelete()
    {
        var stored = await _client.StoreProofAsync(Request(NewImageHash(), "{}"));

        Assert.True(await _client.DeleteProofAsync(stored.ProofId));

        Assert.Equal(ProofReadStatus.NotFound, (await _client.GetProofAsync(stored.ProofId)).Status);
        Assert.Equal(ProofReadStatus.NotFound, (await _client.GetProofByImageAsync(stored.ImageHash!)).Status);
        Assert.False(await _client.DeleteProofAsync(stored.ProofId));
    }

    [Fact]
    public async Task GetProofUrlAsync_NamesTheRecordOnTheService()
    {
        var stored = await _client.StoreProofAsync(Request(NewImageHash(), "{}"));

        var url = await _client.GetProofUrlAsync(stored.ProofId, TimeSpan.FromMinutes(5));

        Assert.Equal("service", url!.Kind);
        Assert.Equal(new Uri(fixture.Service.BaseAddress, $"/v1/proofs/{stored.ProofId}"), url.Url);
    }

    [Fact]
    public async Task WithoutAKey_Throws401Unauthorized_AndWithAReadOnlyKey_WritesThrow403Forbidden()
    {
        var anonymous = fixture.CreateClient(apiKey: "");
        var reader = fixture.CreateClient(apiKey: fixture.ReaderKey);

        var unauthorized = await Assert.ThrowsAsync<ProofStorageException>(() => anonymous.StoreProofAsync(Request(NewImageHash(), "{}")));
        var forbidden = await Assert.ThrowsAsync<ProofStorageException>(() => reader.StoreProofAsync(Request(NewImageHash(), "{}")));
        var stats = await Assert.ThrowsAsync<ProofStorageException>(() => reader.GetStatsAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("urn:proofstorage:problem:unauthorized", unauthorized.Problem.Type);
        Assert.Equal("unauthorized", unauthorized.Problem.Slug);
        Assert.Matches("^[0-9a-f]{32}$", unauthorized.Problem.TraceId);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("urn:proofstorage:problem:forbidden", forbidden.Problem.Type);
        Assert.Equal(403, stats.Problem.Status);
        Assert.Equal(ProofReadStatus.NotFound, (await reader.GetProofAsync("AnyProof00000000000000")).Status);
    }

    [Fact]
    public async Task StoreProofAsync_RefusedByTheService_ThrowsTheValidationProblemNamingTheField()
    {
        var error = await Assert.ThrowsAsync<ProofStorageException>(() => _client.StoreProofAsync(Request("abc", "{}")));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("urn:proofstorage:problem:validation", error.Problem.Type);
        Assert.Contains("SHA-256", Assert.Single(error.Problem.Errors!["imageHash"]), StringComparison.Ordinal);
    }

    [Fact]
    public void ProofContentFromJson_TextThatIsNotOneJsonValue_IsRefusedBeforeSending()
    {
        Assert.Throws<ArgumentException>(() => ProofContent.FromJson("{\"a\":1}, \"metadata\": {}"));
        Assert.Throws<ArgumentException>(() => ProofContent.FromJson("{\"a\":"));
        Assert.Throws<ArgumentException>(() => ProofContent.FromJson(new byte[] { (byte)'"', 0xff, (byte)'"' }));
        Assert.Throws<ArgumentException>(() => ProofContent.FromDocument(new byte[] { 1 }, "application/json"));
    }

    [Fact]
    public async Task StoreProofAsync_FiveMegabyteProof_RoundTrips_AndTheManifestIsStreamed()
    {
        var proof = Encoding.UTF8.GetBytes($"{{\"payload\":\"{new string('x', 5 * 1024 * 1024)}\",\"n\":1.50}}");

        var stored = await _client.StoreProofAsync(new StoreProofRequest(NewImageHash(), ProofContent.FromJson(proof)));

        Assert.True(stored.SizeBytes > 5 * 1024 * 1024);
        var read = await _client.GetProofAsync(stored.ProofId);
        Assert.True(read.Value!.ProofJson.Span.SequenceEqual(proof));
        var manifest = await _client.GetProofManifestAsync(stored.ProofId);
        await using var document = manifest.Value!;
        Assert.Equal(proof.Length, document.ContentLength);
        // The response stream itself, not a buffered copy.
        Assert.False(document.Content.CanSeek);
        using var received = new MemoryStream();
        await document.Content.CopyToAsync(received);
        Assert.True(received.ToArray().AsSpan().SequenceEqual(proof));
    }

    [Fact]
    public async Task StoreProofAsync_BinaryDocument_IsServedAsItsBytesWithItsMediaType()
    {
        byte[] bytes = [0x00, 0x00, 0x00, 0x10, 0x6a, 0x75, 0x6d, 0x62, 0xff, 0xfe, 0x00, 0x01];

        var stored = await _client.StoreProofAsync(new StoreProofRequest(NewImageHash(), ProofContent.FromDocument(bytes, "application/c2pa")));

        await using var manifest = (await _client.GetProofManifestAsync(stored.ProofId)).Value!;
        Assert.Equal("application/c2pa", manifest.MediaType);
        using var received = new MemoryStream();
        await manifest.Content.CopyToAsync(received);
        Assert.Equal(bytes, received.ToArray());
        var record = await _client.GetProofAsync(stored.ProofId);
        Assert.Equal("application/c2pa", record.Value!.ProofMediaType);
        Assert.Equal($"\"{Convert.ToBase64String(bytes)}\"", Encoding.UTF8.GetString(record.Value.ProofJson.Span));
    }

    [Fact]
    public async Task StatsAndHealth_AreRead()
    {
        await _client.StoreProofAsync(Request(NewImageHash(), "{}"));

        var stats = await _client.GetStatsAsync();
        var live = await _client.GetLivenessAsync();
        var ready = await _client.GetReadinessAsync();

        Assert.True(stats.Dedup.Lookups > 0);
        Assert.NotEmpty(stats.Cache.Levels);
        Assert.False(stats.Scrub.Enabled);
        Assert.Null(stats.Scrub.Running);
        Assert.Empty(stats.Scrub.UnrecoverableKeys);
        Assert.Equal("Healthy", live.Status);
        Assert.NotEqual("Unhealthy", ready.Status);
        Assert.NotEmpty(ready.Checks);
    }

    [Fact]
    public async Task Calls_WithACancelledToken_AreCancelled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.GetProofAsync("AnyProof00000000000000", cancellationToken: cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.StoreProofAsync(Request(NewImageHash(), "{}"), cancelled.Token));
    }
}
