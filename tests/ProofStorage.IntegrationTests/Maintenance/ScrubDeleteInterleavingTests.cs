using Microsoft.Extensions.Logging.Abstractions;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Core.Storage;
using ProofStorage.Maintenance.Scrub;
using ProofStorage.Maintenance.Walking;
using ProofStorage.Providers.FileSystem;
using ProofStorage.Storage.Failover;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Maintenance;

/// <summary>
/// A proof deleted through the pair while the scrub repairs it is never resurrected, in every order that matters. The
/// scrub repairs the primary copy from the secondary; gates (<see cref="Gate"/>) hold one side at an exact point while the
/// other runs, so each interleaving is forced, not hoped for.
/// </summary>
public sealed class ScrubDeleteInterleavingTests : IDisposable
{
    private readonly string _root = TestFolders.New("scrub-interleaving");
    private readonly FileSystemStorageProvider _primaryDisk;
    private readonly FileSystemStorageProvider _secondaryDisk;
    private readonly ChaosStorageProvider _primary;
    private readonly ChaosStorageProvider _secondary;
    private readonly FailoverStorageProvider _pair;
    private readonly ProofEnvelopeCodec _codec = new(TestKeys.Ring());
    private readonly string _key;

    public ScrubDeleteInterleavingTests()
    {
        _primaryDisk = new FileSystemStorageProvider("primary", new FileSystemStorageOptions { Path = Path.Combine(_root, "primary"), FlushToDisk = false });
        _secondaryDisk = new FileSystemStorageProvider("secondary", new FileSystemStorageOptions { Path = Path.Combine(_root, "secondary"), FlushToDisk = false });
        _primary = new ChaosStorageProvider(_primaryDisk);
        _secondary = new ChaosStorageProvider(_secondaryDisk);
        _pair = new FailoverStorageProvider(_primary, _secondary, new ReplicationLog(Path.Combine(_root, "replication")), new FailoverOptions(),
            TimeProvider.System, NullLogger.Instance);
        _key = DedupProtocol.ProofKey(DedupProtocol.ProofIdFor(ImageHash.Parse(TestKeys.ImageHash("interleaved"))));
    }

    [Fact]
    public async Task DeleteRunsWhileTheRepairWriteIsHeld_TheScrubTakesItsCopyBack()
    {
        var (scrub, gate) = await ScrubHeldAtItsRepairWriteAsync();
        Assert.True(await _pair.DeleteAsync(_key, CancellationToken.None));
        gate.Release();
        var state = await scrub;

        await AssertGoneAsync();
        Assert.Equal(1, state.Count("deleted.during.repair"));
        Assert.Equal(FindingKind.DeletedDuringRepair, Assert.Single(state.Findings).Kind);
    }

    [Fact]
    public async Task ScrubRunsAfterTheDeleteWroteItsTombstonesButBeforeItDeletedAnything_TheScrubFinishesTheDelete()
    {
        await StoreOnSecondaryOnlyAsync();
        var gate = new Gate();
        _secondary.BeforeDelete = gate.For(_key);

        var delete = _pair.DeleteAsync(_key, CancellationToken.None);
        await gate.Reached;
        var state = await ScrubAsync();
        gate.Release();
        await delete;

        await AssertGoneAsync();
        Assert.Equal(0, state.Count("repaired"));
        Assert.Equal(1, state.Count("deletes.finished"));
    }

    [Fact]
    public async Task RepairFinishesBeforeTheDelete_TheDeleteRemovesBothCopies()
    {
        await StoreOnSecondaryOnlyAsync();

        var state = await ScrubAsync();
        Assert.Equal(1, state.Count("repaired"));
        Assert.NotNull(await _primaryDisk.GetAsync(_key, CancellationToken.None));
        Assert.True(await _pair.DeleteAsync(_key, CancellationToken.None));

        await AssertGoneAsync();
    }

    [Fact]
    public async Task ImageStoredAgainAfterTheDelete_WhileTheRepairWriteIsHeld_TheNewProofWinsOnBothCopies()
    {
        var (scrub, gate) = await ScrubHeldAtItsRepairWriteAsync();
        Assert.True(await _pair.DeleteAsync(_key, CancellationToken.None));
        var again = Envelope("stored again");
        _primary.BeforeWrite = null;
        Assert.True(await _pair.CreateIfAbsentAsync(_key, again, ObjectMetadata.None, CancellationToken.None));
        gate.Release();
        var state = await scrub;

        Assert.Equal(again, (await _primaryDisk.GetAsync(_key, CancellationToken.None))!.Content.ToArray());
        Assert.Equal(again, (await _secondaryDisk.GetAsync(_key, CancellationToken.None))!.Content.ToArray());
        Assert.Equal(1, state.Count("changed.concurrently"));
    }

    /// <summary>The proof exists on the secondary only (its primary copy removed behind the pair's back): the scrub repairs the primary.</summary>
    private async Task StoreOnSecondaryOnlyAsync()
    {
        Assert.True(await _pair.CreateIfAbsentAsync(_key, Envelope("first"), ObjectMetadata.None, CancellationToken.None));
        Assert.True(await _primaryDisk.DeleteAsync(_key, CancellationToken.None));
    }

    /// <summary>A scrub repairing the primary copy, held just before its write reaches the primary.</summary>
    private async Task<(Task<WalkState> Scrub, Gate Gate)> ScrubHeldAtItsRepairWriteAsync()
    {
        await StoreOnSecondaryOnlyAsync();
        var gate = new Gate();
        _primary.BeforeWrite = gate.For(_key);
        var scrub = ScrubAsync();
        await gate.Reached;
        return (scrub, gate);
    }

    private byte[] Envelope(string text)
    {
        var proofId = _key[DedupProtocol.ProofPrefix.Length..];
        var record = ProofRecord.Write(proofId, ImageHash.Parse(TestKeys.ImageHash("interleaved")), DateTimeOffset.UnixEpoch, null,
            System.Text.Encoding.UTF8.GetBytes($"{{\"text\":\"{text}\"}}"));
        return _codec.Seal(record, _key).Envelope;
    }

    private async Task<WalkState> ScrubAsync()
    {
        var state = new WalkState();
        var scrubber = new Scrubber(StoreCopies.Of(_pair), _codec, 1024 * 1024, new ScrubSettings(Deep: false, DryRun: false, TimeSpan.FromDays(30)),
            Throttle.None, TimeProvider.System);
        Assert.True(await scrubber.RunAsync(state, new WalkSettings(10, 1), null, CancellationToken.None));
        return state;
    }

    private async Task AssertGoneAsync()
    {
        Assert.Null(await _primaryDisk.GetAsync(_key, CancellationToken.None));
        Assert.Null(await _secondaryDisk.GetAsync(_key, CancellationToken.None));

        // And a later pass leaves it gone.
        var state = await ScrubAsync();
        Assert.Equal(0, state.Count("repaired"));
        Assert.Null(await _primaryDisk.GetAsync(_key, CancellationToken.None));
    }

    public void Dispose() => _pair.Dispose();
}
