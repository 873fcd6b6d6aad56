using System.Security.Cryptography;
using ProofStorage.Client;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests.Clients;

/// <summary>ProofStorage.Client's C2PA calls against the real service process: manifest stores stored raw and the Soft Binding Resolution API.</summary>
public sealed class DotNetClientC2paTests(ClientServiceFixture fixture) : IClassFixture<ClientServiceFixture>
{
    private const string Watermark = "com.digimarc.validate.1";
    private readonly IProofStorageClient _client = fixture.CreateClient();

    private static async Task<byte[]> ReadAllAsync(ProofReadResult<ProofManifest> read)
    {
        Assert.Equal(ProofReadStatus.Ok, read.Status);
        await using var manifest = read.Value!;
        using var copy = new MemoryStream();
        await manifest.Content.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task StoreManifestStoreAsync_FromBytes_IsFoundByBindingAndManifestId_ServedByteForByte_AndDeletedByManifestId()
    {
        var label = Jumbf.NewLabel();
        var bytes = Jumbf.ManifestStoreBytes(label, padding: 3000);
        var imageHash = TestKeys.ImageHash("dotnet-c2pa-" + label);
        var binding = new SoftBindingValue(Watermark, Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)));

        var stored = await _client.StoreManifestStoreAsync(StoreManifestStoreRequest.FromBytes(bytes));

        Assert.False(stored.Deduplicated);
        Assert.Equal(label, stored.ManifestId);
        Assert.Null(stored.ImageHash);
        await _client.DeleteProofAsync(stored.ProofId);

        stored = await _client.StoreManifestStoreAsync(StoreManifestStoreRequest.FromBytes(bytes) with
        {
            ImageHash = imageHash,
            Metadata = new Dictionary<string, string> { ["source"] = "dotnet-c2pa" },
            SoftBindings = [binding],
        });
        Assert.Equal(imageHash, stored.ImageHash);
        var record = await _client.GetProofAsync(stored.ProofId);
        Assert.Equal(label, record.Value!.ManifestId);
        Assert.Equal("application/c2pa", record.Value.ProofMediaType);
        Assert.Equal([binding], record.Value.SoftBindings!);
        Assert.Equal("dotnet-c2pa", record.Value.Metadata["source"]);
        Assert.Equal(bytes, await ReadAllAsync(await _client.GetProofManifestAsync(stored.ProofId)));
        var byManifestId = await _client.GetManifestAsync(label);
        Assert.Equal("application/c2pa", byManifestId.Value!.MediaType);
        Assert.Equal(bytes, await ReadAllAsync(byManifestId));
        Assert.Equal(ProofReadStatus.NotModified, (await _client.GetManifestAsync(label, ifNoneMatch: byManifestId.ETag)).Status);
        // The active manifest alone: the store without the padding box beside it.
        Assert.Equal(Jumbf.ManifestStoreBytes(label), await ReadAllAsync(await _client.GetManifestAsync(label, returnActiveManifest: true)));
        Assert.Equal(label, Assert.Single(await _client.FindManifestsByBindingAsync(binding)).ManifestId);
        Assert.Contains((await _client.GetSupportedAlgorithmsAsync()).Watermarks, a => a.Alg == Watermark);

        Assert.True(await _client.DeleteManifestAsync(label));

        Assert.Empty(await _client.FindManifestsByBindingAsync(binding));
        Assert.Equal(ProofReadStatus.NotFound, (await _client.GetManifestAsync(label)).Status);
        Assert.False(await _client.DeleteManifestAsync(label));
    }

    [Fact]
    public async Task StoreManifestStoreAsync_FromAStream_IsStoredAsItsBytes()
    {
        var label = Jumbf.NewLabel();
        var bytes = Jumbf.ManifestStoreBytes(label, padding: 200_000);
        await using var stream = new MemoryStream(bytes, writable: false);

        var stored = await _client.StoreManifestStoreAsync(StoreManifestStoreRequest.FromStream(stream));

        Assert.Equal(label, stored.ManifestId);
        Assert.Equal(bytes, await ReadAllAsync(await _client.GetManifestAsync(label)));
    }

    [Fact]
    public async Task DecoupledProfile_AddManifestAnswersItsId_AddBindingBindsOnlyAValueTheStoreDeclares()
    {
        var label = Jumbf.NewLabel();
        var declared = RandomNumberGenerator.GetBytes(16);
        var bytes = Jumbf.ManifestStoreBytes(label, 0, (Watermark, declared));

        Assert.Equal(label, await _client.AddManifestAsync(bytes));
        Assert.Equal(label, await _client.AddManifestAsync(bytes));

        Assert.True(await _client.AddBindingAsync(label, Convert.ToBase64String(declared)));
        Assert.False(await _client.AddBindingAsync(label, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));
        Assert.Equal(label, Assert.Single(await _client.FindManifestsByBindingAsync(new SoftBindingValue(Watermark, Convert.ToBase64String(declared)))).ManifestId);
    }

    [Fact]
    public async Task StoreManifestStoreAsync_NotAManifestStore_ThrowsTheInvalidManifestStoreProblem()
    {
        var error = await Assert.ThrowsAsync<ProofStorageException>(() => _client.StoreManifestStoreAsync(StoreManifestStoreRequest.FromBytes("not jumbf"u8.ToArray())));

        Assert.Equal(400, error.Problem.Status);
        Assert.Equal("urn:proofstorage:problem:invalid-manifest-store", error.Problem.Type);
    }
}
