using System.Text.Json.Nodes;
using ProofStorage.Core.Dedup;

namespace ProofStorage.Migrate.Tests.Maintenance;

/// <summary>The scrub on a failover pair of two filesystem providers: what the listing pass can see there, and the dry run.</summary>
public sealed class ScrubFileSystemPairTests : IDisposable
{
    private readonly MigrationWorkspace _workspace = new("data");

    [Fact]
    public async Task ListingPass_RestoresAMissingFile_ButOnlyTheDeepPassSeesASameSizeFlippedByte_AndADryRunChangesNothing()
    {
        var primaryRoot = Path.Combine(_workspace.Root, "primary");
        var secondaryRoot = Path.Combine(_workspace.Root, "secondary");
        _workspace.UsePair(Folder(primaryRoot), Folder(secondaryRoot));
        var ids = await StoreFixtures.StoreAsync(_workspace.ConfigPath, ["gone", "rotten", "fine"]);
        string File(string root, string label) => Path.Combine(root, "proofs", ids[label][..2], ids[label]);
        var original = System.IO.File.ReadAllBytes(File(secondaryRoot, "gone"));
        var intact = System.IO.File.ReadAllBytes(File(primaryRoot, "rotten"));
        System.IO.File.Delete(File(secondaryRoot, "gone"));
        StoreFixtures.FlipByte(File(primaryRoot, "rotten"));
        var rotten = System.IO.File.ReadAllBytes(File(primaryRoot, "rotten"));

        // A dry run says what it would do and writes nothing.
        var (dryExit, dryOutput) = await _workspace.RunCommandAsync(["scrub"], "--deep", "--dry-run");
        Assert.True(dryExit == 0, dryOutput);
        var wouldRepair = _workspace.ReadReport().GetProperty("findings").EnumerateArray()
            .Where(f => f.GetProperty("kind").GetString() == "wouldRepair").Select(f => f.GetProperty("key").GetString()).Order().ToList();
        Assert.Equal(new[] { DedupProtocol.ProofKey(ids["gone"]), DedupProtocol.ProofKey(ids["rotten"]) }.Order(), wouldRepair);
        Assert.False(System.IO.File.Exists(File(secondaryRoot, "gone")));
        Assert.Equal(rotten, System.IO.File.ReadAllBytes(File(primaryRoot, "rotten")));

        // The listing pass: the filesystem lists sizes, no checksums, so it finds the missing copy only.
        var (listingExit, listingOutput) = await _workspace.RunCommandAsync(["scrub"]);
        Assert.True(listingExit == 0, listingOutput);
        Assert.Equal(original, System.IO.File.ReadAllBytes(File(secondaryRoot, "gone")));
        Assert.Equal(rotten, System.IO.File.ReadAllBytes(File(primaryRoot, "rotten")));
        // It read one object: the one copy of the key the listings disagree on.
        Assert.Equal(1, _workspace.ReadReport().GetProperty("counts").GetProperty("objects.read").GetInt64());

        // The deep pass reads every byte: the primary's rotten copy is replaced by the secondary's.
        var (deepExit, deepOutput) = await _workspace.RunCommandAsync(["scrub"], "--deep");
        Assert.True(deepExit == 0, deepOutput);
        Assert.Equal(intact, System.IO.File.ReadAllBytes(File(primaryRoot, "rotten")));
        Assert.Equal(1, _workspace.ReadReport().GetProperty("counts").GetProperty("repaired").GetInt64());
    }

    private static JsonObject Folder(string path) => new() { ["Type"] = "FileSystem", ["Path"] = path, ["FlushToDisk"] = false };

    public void Dispose() => _workspace.Dispose();
}
