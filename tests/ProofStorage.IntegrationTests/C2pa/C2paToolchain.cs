using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.C2pa;

[CollectionDefinition(Name)]
public sealed class C2paToolchainGroup : ICollectionFixture<C2paToolchain>
{
    public const string Name = "C2PA toolchain";
}

/// <summary>
/// The real C2PA toolchain (tests/c2pa), a test signer and a <see cref="ManifestServer"/>, shared by the C2PA test classes,
/// with two assets signed once by c2pa-rs: <see cref="OneManifest"/> (one manifest, with a soft binding) and
/// <see cref="WithParent"/> (a parent manifest and the active one). Each asset references its store's URL on the server,
/// which serves it.
/// </summary>
public sealed class C2paToolchain : IAsyncLifetime
{
    public const string SoftBindingAlg = "com.example.test-watermark.1";

    /// <summary>A soft-binding value as the Soft Binding Resolution API carries it: base64.</summary>
    public static readonly string SoftBindingValue = Convert.ToBase64String("proofstorage-watermark-0001"u8);

    public C2paTool Tool { get; private set; } = null!;

    public C2paTestSigner Signer { get; private set; } = null!;

    public ManifestServer Server { get; private set; } = null!;

    public C2paSignedAsset OneManifest { get; private set; } = null!;

    public C2paSignedAsset WithParent { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Tool = C2paTool.Locate();
        Signer = C2paTestSigner.Create(TestFolders.New("c2pa-signer"));
        Server = await ManifestServer.StartAsync();
        OneManifest = await SignAndServeAsync("single", new C2paSignOptions { SoftBinding = (SoftBindingAlg, SoftBindingValue) });
        WithParent = await SignAndServeAsync("with-parent", new C2paSignOptions { Seed = 2, WithParent = true });
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>The server path an asset signed under <paramref name="name"/> references.</summary>
    public static string PathOf(string name) => $"/manifests/{name}";

    /// <summary>Signs a new asset whose remote manifest URL is <see cref="PathOf"/> on the server, and serves its store there.</summary>
    public async Task<C2paSignedAsset> SignAndServeAsync(string name, C2paSignOptions? options = null)
    {
        var signed = await Tool.SignAsync(Signer, Server.UrlOf(PathOf(name)), TestFolders.New("c2pa-" + name), options);
        Server.Serve(PathOf(name), signed.ReadStore());
        return signed;
    }
}
