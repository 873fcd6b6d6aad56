using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests.C2pa;

/// <summary>
/// The service as a C2PA manifest repository that real C2PA tools use, as an operator runs it (the built service on
/// Kestrel, anonymous reads on): an asset signed by c2pa-rs names a remote manifest URL on the service, the signer stores
/// the manifest store through the API, and independent readers (c2pa-ts, and c2pa-rs fetching from the URL in the asset)
/// validate the asset against what the service serves; the same through the Soft Binding Resolution API; and what lands
/// on disk is sealed.
/// </summary>
public sealed class RemoteManifestTests : IAsyncLifetime
{
    private const string Watermark = "com.digimarc.validate.1";
    private static readonly string[] BothReaders = ["c2pa-ts", "c2pa-wasm"];
    private ServiceProcess _service = null!;
    private HttpClient _signer = null!;
    private HttpClient _anyone = null!;
    private C2paTool _tool = null!;
    private C2paTestSigner _certificate = null!;

    public async Task InitializeAsync()
    {
        _tool = C2paTool.Locate();
        _certificate = C2paTestSigner.Create(TestFolders.New("e2e-c2pa-signer"));
        _service = await ServiceProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["ProofStorage__Auth__AllowAnonymousReads"] = "true",
            ["ProofStorage__RateLimit__Enabled"] = "false",
        });
        _signer = _service.CreateClient(_service.ApiKey);
        _anyone = _service.CreateClient(apiKey: null);
    }

    public async Task DisposeAsync()
    {
        _signer?.Dispose();
        _anyone?.Dispose();
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnAssetSignedWithItsRemoteUrlOnTheService_ValidatesAgainstTheStoreTheSignerStoredThroughTheApi()
    {
        // The signer names the proof before signing: its id derives from the image hash it will store it under.
        var imageHash = TestKeys.ImageHash("e2e-remote-" + Guid.NewGuid().ToString("N"));
        var proofId = DedupProtocol.ProofIdFor(ImageHash.Parse(imageHash));
        var remoteUrl = new Uri(_service.BaseAddress, $"/v1/proofs/{proofId}/manifest");
        var signed = await _tool.SignAsync(_certificate, remoteUrl, TestFolders.New("e2e-remote"), new C2paSignOptions { Seed = 11 });

        using var stored = await PostAsync(_signer, $"/v1/proofs?imageHash={imageHash}", signed.ReadStore());
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        var body = await JsonAsync(stored);
        Assert.Equal(proofId, body.GetProperty("proofId").GetString());
        Assert.Equal(signed.ActiveManifest, body.GetProperty("manifestId").GetString());

        var verdict = await _tool.VerifyAsync(signed.AssetPath);

        AssertValid(verdict, signed.ActiveManifest);
        Assert.Equal(remoteUrl.AbsoluteUri, verdict.RemoteUrl);
        Assert.Equal(new C2paFetch(200, "application/c2pa", signed.ReadStore().Length), verdict.Fetch);
        AssertSealedOnDisk(signed.ReadStore(), signed.ActiveManifest);
    }

    [Fact]
    public async Task ThroughTheSoftBindingResolutionApi_ByBinding_ThenManifestId_ThenTheManifest_ValidatesTheAsset()
    {
        // The active manifest's label is chosen before signing, so the remote URL in the asset is the repository's
        // /manifests/{manifestId}, as remote manifest URLs look in the wild; the watermark value goes in its soft-binding assertion.
        var label = "urn:c2pa:" + Guid.NewGuid().ToString("D");
        var watermark = Convert.ToBase64String(Encoding.ASCII.GetBytes("e2e-watermark-" + Guid.NewGuid().ToString("N")[..12]));
        var remoteUrl = new Uri(_service.BaseAddress, "/c2pa/v1/manifests/" + label);
        var signed = await _tool.SignAsync(_certificate, remoteUrl, TestFolders.New("e2e-binding"),
            new C2paSignOptions { Seed = 12, Label = label, SoftBinding = (Watermark, watermark) });
        Assert.Equal(label, signed.ActiveManifest);

        // The decoupled profile's store: the raw manifest store, nothing else (no image hash).
        using var stored = await PostAsync(_signer, "/c2pa/v1/manifests", signed.ReadStore());
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(label, (await JsonAsync(stored)).GetProperty("manifestId").GetString());

        // A verifier that read the watermark: byBinding (anonymously, as a browser or a tool would) → the manifest id.
        using var matches = await _anyone.GetAsync($"/c2pa/v1/matches/byBinding?alg={Watermark}&value={Uri.EscapeDataString(watermark)}");
        Assert.Equal(HttpStatusCode.OK, matches.StatusCode);
        var manifestId = Assert.Single((await JsonAsync(matches)).GetProperty("matches").EnumerateArray()).GetProperty("manifestId").GetString();
        Assert.Equal(label, manifestId);

        var verdict = await _tool.VerifyAsync(signed.AssetPath, new Uri(_service.BaseAddress, "/c2pa/v1/manifests/" + manifestId));

        AssertValid(verdict, label);
        Assert.Equal(new C2paFetch(200, "application/c2pa", signed.ReadStore().Length), verdict.Fetch);
        AssertSealedOnDisk(signed.ReadStore(), label, watermark);
    }

    private static void AssertValid(C2paVerdict verdict, string activeManifest)
    {
        Assert.True(verdict.Valid, verdict.Json);
        Assert.Equal(BothReaders, verdict.Readers.Select(r => r.Name));
        Assert.All(verdict.Readers, reader =>
        {
            Assert.True(reader.SignatureValid && reader.HardBindingValid, verdict.Json);
            Assert.Null(reader.Error);
            Assert.All(reader.Failure, code => Assert.Equal("signingCredential.untrusted", code));
        });
        Assert.Equal(activeManifest, verdict.ActiveManifest);
    }

    /// <summary>
    /// Every object the service wrote is sealed: no JUMBF box types or C2PA labels, no manifest label, no watermark value and
    /// no run of the manifest store's bytes appear in any file under the data folder.
    /// </summary>
    private void AssertSealedOnDisk(byte[] manifestStore, string label, string? watermark = null)
    {
        var files = Directory.GetFiles(Path.Combine(_service.DataPath, "proofs"), "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}manifests{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf("jumb"u8) < 0, $"{file} holds a JUMBF box type in the clear");
            Assert.True(bytes.AsSpan().IndexOf("c2pa"u8) < 0, $"{file} holds 'c2pa' in the clear");
            Assert.True(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(label)) < 0, $"{file} holds the manifest label");
            Assert.True(bytes.AsSpan().IndexOf(manifestStore.AsSpan(manifestStore.Length / 2, 32)) < 0, $"{file} holds the store's bytes");
            if (watermark is not null)
            {
                Assert.True(bytes.AsSpan().IndexOf(Convert.FromBase64String(watermark)) < 0 && bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(watermark)) < 0,
                    $"{file} holds the watermark value");
            }
        }
    }

    internal static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/c2pa");
        return await client.PostAsync(path, content);
    }

    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
