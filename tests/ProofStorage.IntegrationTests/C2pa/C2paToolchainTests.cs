using System.Buffers.Binary;
using ProofStorage.Core.C2pa;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.C2pa;

/// <summary>
/// The toolchain and our reader against each other on real data: assets signed by c2pa-rs with a remote manifest URL,
/// the store served over HTTP, validated by c2pa-ts and c2pa-rs, and read by <see cref="ManifestStore"/>.
/// </summary>
[Collection(C2paToolchainGroup.Name)]
public sealed class C2paToolchainTests(C2paToolchain toolchain)
{
    private static readonly string[] BothReaders = ["c2pa-ts", "c2pa-wasm"];

    [Fact]
    public async Task RemoteManifest_SignedByC2paRs_FetchedOverHttp_IsValidForC2paTsAndC2paRs()
    {
        var path = C2paToolchain.PathOf("single");
        var requestsBefore = toolchain.Server.RequestCount(path);

        var verdict = await toolchain.Tool.VerifyAsync(toolchain.OneManifest.AssetPath);

        Assert.True(verdict.Valid, verdict.Json);
        Assert.Equal(BothReaders, verdict.Readers.Select(r => r.Name));
        Assert.All(verdict.Readers, reader =>
        {
            Assert.True(reader.SignatureValid && reader.HardBindingValid, verdict.Json);
            Assert.Null(reader.Error);
            Assert.All(reader.Failure, code => Assert.Contains(code, verdict.Tolerated));
        });
        // c2pa-rs checks the certificate chain: the test CA is trusted by nobody, and that is the only failure.
        Assert.Equal(["signingCredential.untrusted"], verdict.Reader("c2pa-wasm").Failure);
        Assert.Equal(toolchain.OneManifest.ActiveManifest, verdict.ActiveManifest);
        Assert.Equal(toolchain.Server.UrlOf(path).AbsoluteUri, verdict.RemoteUrl);
        Assert.Equal(new C2paFetch(200, "application/c2pa", (int)new FileInfo(toolchain.OneManifest.StorePath).Length), verdict.Fetch);
        // Each reader fetched the store itself, over HTTP, from the URL in the asset.
        Assert.True(toolchain.Server.RequestCount(path) - requestsBefore >= 2, $"{toolchain.Server.RequestCount(path) - requestsBefore} requests");
    }

    [Fact]
    public async Task OneFlippedByteInTheServedClaim_MakesTheManifestInvalid_ForBothReaders()
    {
        var signed = await toolchain.SignAndServeAsync("tampered", new C2paSignOptions { Seed = 3 });
        var intact = await toolchain.Tool.VerifyAsync(signed.AssetPath);
        Assert.True(intact.Valid, intact.Json);

        var tampered = signed.ReadStore();
        tampered[MiddleOfClaim(tampered)] ^= 0x01;
        toolchain.Server.Serve(C2paToolchain.PathOf("tampered"), tampered);
        var verdict = await toolchain.Tool.VerifyAsync(signed.AssetPath);

        Assert.False(verdict.Valid, verdict.Json);
        Assert.Equal(BothReaders, verdict.Readers.Select(r => r.Name));
        Assert.All(verdict.Readers, reader => Assert.False(reader.SignatureValid, verdict.Json));
    }

    [Fact]
    public void OurReader_ReadsTheStoreC2paRsWrote_TheSameActiveManifest_AndItsSoftBinding()
    {
        var store = ManifestStore.Parse(toolchain.OneManifest.ReadStore());

        var manifest = Assert.Single(store.Manifests);
        Assert.Equal(toolchain.OneManifest.ActiveManifest, manifest.Label);
        Assert.Equal(C2paManifestKind.Standard, manifest.Kind);
        Assert.Equal([new C2paSoftBinding(C2paToolchain.SoftBindingAlg, C2paToolchain.SoftBindingValue, ValueIsText: true)], manifest.SoftBindings);
    }

    [Fact]
    public async Task TwoManifestStore_OurReaderAgreesWithC2paRs_OnOrderAndActiveManifest_AndBothReadersValidateIt()
    {
        var store = ManifestStore.Parse(toolchain.WithParent.ReadStore());
        var verdict = await toolchain.Tool.VerifyAsync(toolchain.WithParent.AssetPath);

        Assert.Equal([toolchain.WithParent.ParentManifest, toolchain.WithParent.ActiveManifest], store.Manifests.Select(m => m.Label));
        Assert.True(verdict.Valid, verdict.Json);
        Assert.Equal(verdict.ActiveManifest, store.ActiveManifest.Label);
        Assert.Empty(store.ActiveManifest.SoftBindings);
    }

    [Fact]
    public void ActiveManifestOnly_OfARealSingleManifestStore_IsTheStoreItself()
    {
        var bytes = toolchain.OneManifest.ReadStore();

        Assert.Equal(bytes, ManifestStore.Parse(bytes).ToActiveManifestOnly());
    }

    [Fact]
    public async Task ActiveManifestOnly_OfATwoManifestStore_KeepsSignatureAndHardBinding_ButC2paRsMissesTheIngredientManifest()
    {
        // What returnActiveManifest=true gives a verifier: the active manifest validates, and c2pa-rs reports the
        // parent's manifest (which the reduced store leaves out) as missing.
        var original = ManifestStore.Parse(toolchain.WithParent.ReadStore());
        var reduced = original.ToActiveManifestOnly();
        var active = original.ActiveManifest.Range;
        Assert.Equal(original.Bytes.Slice(active.Offset, active.Length).ToArray(), reduced[^active.Length..]);

        toolchain.Server.Serve(C2paToolchain.PathOf("with-parent"), reduced);
        try
        {
            var verdict = await toolchain.Tool.VerifyAsync(toolchain.WithParent.AssetPath);

            Assert.All(verdict.Readers, reader => Assert.True(reader.SignatureValid && reader.HardBindingValid, verdict.Json));
            Assert.Equal(original.ActiveManifest.Label, verdict.ActiveManifest);
            Assert.Contains("ingredient.manifest.missing", verdict.Reader("c2pa-wasm").Failure);
        }
        finally
        {
            toolchain.Server.Serve(C2paToolchain.PathOf("with-parent"), toolchain.WithParent.ReadStore());
        }
    }

    /// <summary>
    /// An offset in the middle of the active manifest's claim (the CBOR the signature covers): the claim's description box
    /// ends with its label "c2pa.claim.v2" and a NUL, and its one cbor box follows.
    /// </summary>
    private static int MiddleOfClaim(byte[] store)
    {
        var active = ManifestStore.Parse(store).ActiveManifest.Range;
        var within = store.AsSpan(active.Offset, active.Length);
        var label = within.IndexOf("c2pa.claim.v2\0"u8);
        Assert.True(label > 0, "no claim label in the active manifest");
        var box = active.Offset + label + "c2pa.claim.v2\0"u8.Length;
        Assert.True(store.AsSpan(box + 4, 4).SequenceEqual("cbor"u8), "the claim's description is not followed by its cbor box");
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(store.AsSpan(box));
        return box + 8 + ((length - 8) / 2);
    }
}
