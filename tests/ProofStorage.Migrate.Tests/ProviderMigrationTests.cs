using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProofStorage.Core;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;
using ProofStorage.Migrate.Hosting;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests;

/// <summary>Provider → provider: the source is another store described by configuration; proofs are re-encrypted under the target's active key.</summary>
public sealed class ProviderMigrationTests : IDisposable
{
    private readonly MigrationWorkspace _old = new("data-old", "old");
    private readonly MigrationWorkspace _new = new("data-new", "new", "old");

    [Fact]
    public async Task ProviderSource_CopiesProofsAndAliases_ReEncryptedUnderTheActiveKey()
    {
        var legacy = LegacyFolder.Create(_old.LegacyPath, unique: 12, exactDuplicates: 3, withInvalid: false);
        var (seedExit, seedOutput) = await _old.RunAsync("--source", legacy.Path);
        Assert.True(seedExit == 0, seedOutput);

        // The source store: the old data folder; the target's key ring still holds "old" (it could also be given here).
        var sourceConfig = _new.WriteConfig("source.json", _old.DataPath, ["old"]);
        var (exitCode, output) = await _new.RunAsync("--source-config", sourceConfig, "--verify");

        Assert.True(exitCode == 0, output);
        var before = await MigrationWorkspace.ReadStoreAsync(_old.ConfigPath);
        var after = await MigrationWorkspace.ReadStoreAsync(_new.ConfigPath);
        Assert.Equal(before.Proofs, after.Proofs);
        Assert.Equal(before.Aliases, after.Aliases);

        // Every object in the target is sealed under "new": the key id sits in the envelope header after 'P' 'S' ver comp len.
        var files = MigrationWorkspace.FilesUnder(Path.Combine(_new.DataPath, "proofs"));
        Assert.Equal(before.Proofs.Count + before.Aliases.Count, files.Count);
        foreach (var file in files)
        {
            var envelope = File.ReadAllBytes(Path.Combine(_new.DataPath, "proofs", file));
            Assert.Equal("new", Encoding.ASCII.GetString(envelope, 5, envelope[4]));
        }

        var summary = _new.ReadReport().GetProperty("summary");
        Assert.Equal(before.Proofs.Count + before.Aliases.Count, summary.GetProperty("verified").GetInt32());
    }

    [Fact]
    public async Task ProviderSource_ProofWithAMediaType_KeepsItsMediaType()
    {
        using (var host = MigrationHost.Build([_old.ConfigPath], [], [], LogLevel.Warning))
        {
            await host.StartAsync();
            var manager = host.Services.GetRequiredService<StorageManager>();
            await manager.StoreAsync(new StoreProofCommand(ImageHash.Parse(TestKeys.ImageHash("c2pa-binary")), "\"AAECAw==\""u8.ToArray(), null,
                ProofMediaType: "application/c2pa"), CancellationToken.None);
            await host.StopAsync();
        }

        var sourceConfig = _new.WriteConfig("source.json", _old.DataPath, ["old"]);
        var (exitCode, output) = await _new.RunAsync("--source-config", sourceConfig, "--verify");

        Assert.True(exitCode == 0, output);
        var migrated = Assert.Single((await MigrationWorkspace.ReadStoreAsync(_new.ConfigPath)).Proofs).Value;
        Assert.Equal(Assert.Single((await MigrationWorkspace.ReadStoreAsync(_old.ConfigPath)).Proofs).Value, migrated);
        Assert.Contains("\"proofMediaType\":\"application/c2pa\",\"proof\":\"AAECAw==\"", migrated, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProviderSource_ManifestStores_AreStoredAgainRaw_WithTheirIndex_AndDeleteAfterTakesTheSourcesIndexToo()
    {
        // Two manifest stores: one for an image with a given and a declared binding, one stored without an image hash.
        var named = Jumbf.NewLabel();
        var unnamed = Jumbf.NewLabel();
        var namedBytes = Jumbf.ManifestStoreBytes(named, 0, ("com.digimarc.validate.1", [1, 2, 3]));
        var unnamedBytes = Jumbf.ManifestStoreBytes(unnamed, 0, ("io.iscc.v0", [4, 5]));
        SoftBinding.TryCreate("com.adobe.trustmark.Q", "qg==", out var given, out _);
        using (var host = MigrationHost.Build([_old.ConfigPath], [], [], LogLevel.Warning))
        {
            await host.StartAsync();
            var manager = host.Services.GetRequiredService<StorageManager>();
            await manager.StoreAsync(StoreProofCommand.ForManifestStore(ImageHash.Parse(TestKeys.ImageHash("c2pa-raw")), namedBytes,
                new Dictionary<string, string> { ["source"] = "camera" }, [given!]), CancellationToken.None);
            await manager.StoreAsync(StoreProofCommand.ForManifestStore(null, unnamedBytes, null), CancellationToken.None);
            await host.StopAsync();
        }

        var sourceFiles = MigrationWorkspace.FilesUnder(Path.Combine(_old.DataPath, "proofs"));
        Assert.Equal(2 + 2 + 3, sourceFiles.Count); // two proofs, two manifest ids, three bindings
        var sourceConfig = _new.WriteConfig("source.json", _old.DataPath, ["old"]);

        var (exitCode, output) = await _new.RunAsync("--source-config", sourceConfig, "--verify", "--delete-after", "--yes-i-understand");

        Assert.True(exitCode == 0, output);
        Assert.Equal(sourceFiles.Select(f => f.Split('/')[0]).Order(), MigrationWorkspace.FilesUnder(Path.Combine(_new.DataPath, "proofs")).Select(f => f.Split('/')[0]).Order());
        // Only the provider's lock files (.locks/, taken by conditional writes and deletes) may remain: no object.
        Assert.DoesNotContain(MigrationWorkspace.FilesUnder(Path.Combine(_old.DataPath, "proofs")), f => !f.StartsWith(".locks/", StringComparison.Ordinal));
        using var host2 = MigrationHost.Build([_new.ConfigPath], [], [], LogLevel.Warning);
        await host2.StartAsync();
        var target = host2.Services.GetRequiredService<StorageManager>();
        var found = await target.FindByManifestIdAsync(named, CancellationToken.None);
        Assert.Equal(namedBytes, found!.ReadContent().Content.ToArray());
        Assert.Equal("camera", ProofRecord.ReadMetadata(found.Record)["source"]);
        Assert.Equal(found.ProofId, Assert.Single(await target.FindByBindingAsync(given!, 10, CancellationToken.None)).ProofId);
        SoftBinding.TryCreate("io.iscc.v0", "BAU=", out var declared, out _);
        Assert.Equal(unnamed, Assert.Single(await target.FindByBindingAsync(declared!, 10, CancellationToken.None)).C2pa!.ManifestId);
        Assert.Null((await target.FindByManifestIdAsync(unnamed, CancellationToken.None))!.ImageHash);
        await host2.StopAsync();
    }

    [Fact]
    public async Task SourceAndTarget_TheSameStore_IsRefused()
    {
        var sourceConfig = _new.WriteConfig("same.json", _new.DataPath, ["new", "old"]);

        var (exitCode, output) = await _new.RunAsync("--source-config", sourceConfig, "--delete-after", "--yes-i-understand");

        Assert.Equal(2, exitCode);
        Assert.Contains("same store", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _old.Dispose();
        _new.Dispose();
    }
}
