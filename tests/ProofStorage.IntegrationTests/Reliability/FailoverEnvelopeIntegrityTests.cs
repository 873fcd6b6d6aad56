using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ProofStorage.Core;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ProofStorage.Core.Storage;
using ProofStorage.Providers.FileSystem;
using ProofStorage.Storage.Failover;
using ProofStorage.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.IntegrationTests.Reliability;

/// <summary>
/// A filesystem member hands out whatever its file holds: a damaged copy passes the provider and fails only when the
/// envelope is opened. With a failover pair the reader still gets the proof, from the member whose copy opens.
/// </summary>
public sealed class FailoverEnvelopeIntegrityTests : IDisposable
{
    private static readonly ImageHash Image = ImageHash.Parse(TestKeys.ImageHash("envelope-integrity"));
    private readonly string _root = TestFolders.New("failover-envelope");
    private readonly FileSystemStorageProvider _primary;
    private readonly FileSystemStorageProvider _secondary;
    private readonly FailoverStorageProvider _pair;
    private readonly StorageManager _store;

    public FailoverEnvelopeIntegrityTests()
    {
        _primary = new FileSystemStorageProvider("primary", new FileSystemStorageOptions { Path = Path.Combine(_root, "primary"), FlushToDisk = false });
        _secondary = new FileSystemStorageProvider("secondary", new FileSystemStorageOptions { Path = Path.Combine(_root, "secondary"), FlushToDisk = false });
        _pair = new FailoverStorageProvider(_primary, _secondary, new ReplicationLog(Path.Combine(_root, "replication")), new FailoverOptions(),
            TimeProvider.System, NullLogger.Instance);
        // No L1: every read goes to the pair.
        _store = new StorageManager(_pair, new ProofEnvelopeCodec(TestKeys.Ring()), new PassThroughProofCache(), new StorageStatistics(new ProofStorageMetrics()),
            new FakeTimeProvider(), MsOptions.Create(new ProofStorageOptions()), NullLogger<StorageManager>.Instance);
    }

    [Fact]
    public async Task PrimaryCopyWithAFlippedByte_TheReadIsServedFromTheSecondary()
    {
        var (proofId, key, json) = await StoreAsync();
        await DamageAsync(_primary, key);

        var read = await _store.GetAsync(proofId, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(json, read.Json.ToArray());
        Assert.Equal(1, _store.GetStatistics().IntegrityFailures);
    }

    [Fact]
    public async Task SecondaryCopyWithAFlippedByte_PrimaryMissing_TheReadFailsAsIntegrity()
    {
        var (proofId, key, _) = await StoreAsync();
        await DamageAsync(_secondary, key);
        Assert.True(await _primary.DeleteAsync(key, CancellationToken.None));

        await Assert.ThrowsAsync<ProofIntegrityException>(() => _store.GetAsync(proofId, CancellationToken.None));
    }

    [Fact]
    public async Task BothCopiesDamaged_TheReadFailsAsIntegrity()
    {
        var (proofId, key, _) = await StoreAsync();
        await DamageAsync(_primary, key);
        await DamageAsync(_secondary, key);

        await Assert.ThrowsAsync<ProofIntegrityException>(() => _store.GetAsync(proofId, CancellationToken.None));
    }

    private async Task<(string ProofId, string Key, byte[] Json)> StoreAsync()
    {
        var proof = Encoding.UTF8.GetBytes("{\"signature\":\"c2lnbmVk\",\"claims\":[1,2,3]}");
        var stored = await _store.StoreAsync(new StoreProofCommand(Image, proof, null), CancellationToken.None);
        var proofId = stored.Document.ProofId;
        return (proofId, DedupProtocol.ProofKey(proofId), stored.Document.Json.ToArray());
    }

    /// <summary>Rewrites one member's copy with one byte flipped near its end (inside the sealed payload), behind the pair's back.</summary>
    private static async Task DamageAsync(FileSystemStorageProvider member, string key)
    {
        var copy = (await member.GetAsync(key, CancellationToken.None))!.Content.ToArray();
        copy[^20] ^= 0x01;
        await member.PutAsync(key, copy, ObjectMetadata.None, CancellationToken.None);
    }

    public void Dispose()
    {
        _store.Dispose();
        _pair.Dispose();
    }
}
