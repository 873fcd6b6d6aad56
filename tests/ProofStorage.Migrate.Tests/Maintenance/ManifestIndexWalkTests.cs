using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProofStorage.Core;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Model;
using ProofStorage.Migrate.Hosting;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests.Maintenance;

/// <summary>
/// The walks over the whole store and the C2PA index objects (<c>bindings/</c>, <c>manifests/</c>): sealed objects like
/// proofs and aliases, so the scrub repairs them, the census counts them and re-encryption re-seals them.
/// </summary>
public sealed class ManifestIndexWalkTests : IDisposable
{
    private const string Watermark = "com.digimarc.validate.1";
    private readonly MigrationWorkspace _workspace = new("data", "new", "old");

    [Fact]
    public async Task IndexObjects_AreRepairedByTheScrub_CountedByTheCensus_AndResealedByReencryption()
    {
        var primaryRoot = Path.Combine(_workspace.Root, "primary");
        var secondaryRoot = Path.Combine(_workspace.Root, "secondary");
        var oldConfig = _workspace.WriteConfig("old.json", _workspace.DataPath, ["old"], Folder(primaryRoot), Folder(secondaryRoot));
        _workspace.UsePair(Folder(primaryRoot), Folder(secondaryRoot));
        var label = Jumbf.NewLabel();
        Assert.True(SoftBinding.TryCreate(Watermark, Convert.ToBase64String(Encoding.UTF8.GetBytes("index-walk-watermark")), out var binding, out _));

        // A manifest store with one soft binding, sealed under "old": one proof and two index objects per copy.
        using (var host = MigrationHost.Build([oldConfig], [], [], LogLevel.Warning))
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<StorageManager>().StoreAsync(
                StoreProofCommand.ForManifestStore(null, Jumbf.ManifestStoreBytes(label), null, [binding]), CancellationToken.None);
            await host.StopAsync();
        }

        // Paths relative to a copy's root: the filesystem provider lays a key out the same way in both.
        string Only(string folder) => Path.Combine(folder, Assert.Single(MigrationWorkspace.FilesUnder(Path.Combine(primaryRoot, folder))));
        var bindingFile = Only("bindings");
        var manifestFile = Only("manifests");
        string At(string root, string file) => Path.Combine(root, file);
        var bindingBytes = File.ReadAllBytes(At(secondaryRoot, bindingFile));
        var manifestBytes = File.ReadAllBytes(At(secondaryRoot, manifestFile));
        Assert.Equal(bindingBytes, File.ReadAllBytes(At(primaryRoot, bindingFile)));

        // The scrub: the secondary's binding object is gone, the primary's manifest-id object rotten.
        File.Delete(At(secondaryRoot, bindingFile));
        StoreFixtures.FlipByte(At(primaryRoot, manifestFile));
        var (scrubExit, scrubOutput) = await _workspace.RunCommandAsync(["scrub"], "--deep");
        Assert.True(scrubExit == 0, scrubOutput);
        Assert.Equal(bindingBytes, File.ReadAllBytes(At(secondaryRoot, bindingFile)));
        Assert.Equal(manifestBytes, File.ReadAllBytes(At(primaryRoot, manifestFile)));
        var scrubCounts = _workspace.ReadReport().GetProperty("counts");
        Assert.Equal(2, scrubCounts.GetProperty("repaired").GetInt64());
        Assert.False(scrubCounts.TryGetProperty("unrecoverable", out _), scrubOutput);

        // The census counts the index objects with the proof: three objects per copy, all under "old".
        var (censusExit, censusOutput) = await _workspace.RunCommandAsync(["keys", "census"]);
        Assert.True(censusExit == 0, censusOutput);
        Assert.Equal(3, _workspace.ReadReport().GetProperty("counts").GetProperty("sealed.primary.old").GetInt64());
        Assert.Equal(3, _workspace.ReadReport().GetProperty("counts").GetProperty("sealed.secondary.old").GetInt64());

        // Re-encryption re-seals them under "new"; the store still finds the proof by its binding and manifest id without "old".
        var (reencryptExit, reencryptOutput) = await _workspace.RunCommandAsync(["keys", "reencrypt"]);
        Assert.True(reencryptExit == 0, reencryptOutput);
        Assert.Equal(6, _workspace.ReadReport().GetProperty("counts").GetProperty("reencrypted").GetInt64());
        foreach (var root in new[] { primaryRoot, secondaryRoot })
        {
            foreach (var file in new[] { bindingFile, manifestFile })
            {
                var bytes = File.ReadAllBytes(At(root, file));
                Assert.Equal("new", Encoding.ASCII.GetString(bytes, 5, bytes[4]));
            }
        }

        var newOnly = _workspace.WriteConfig("new-only.json", _workspace.DataPath, ["new"], Folder(primaryRoot), Folder(secondaryRoot));
        using var reader = MigrationHost.Build([newOnly], [], [], LogLevel.Warning);
        await reader.StartAsync();
        var store = reader.Services.GetRequiredService<StorageManager>();
        Assert.Equal(label, Assert.Single(await store.FindByBindingAsync(binding!, 10, CancellationToken.None)).C2pa!.ManifestId);
        Assert.NotNull(await store.FindByManifestIdAsync(label, CancellationToken.None));
        await reader.StopAsync();
    }

    private static JsonObject Folder(string path) => new() { ["Type"] = "FileSystem", ["Path"] = path, ["FlushToDisk"] = false };

    public void Dispose() => _workspace.Dispose();
}
