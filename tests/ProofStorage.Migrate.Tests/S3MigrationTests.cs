using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests;

/// <summary>The CLI against the real local S3-protocol servers: a legacy folder into S3, and S3 into an R2-type store.</summary>
public sealed class S3MigrationTests(S3ServerFixture servers) : IClassFixture<S3ServerFixture>, IDisposable
{
    private readonly MigrationWorkspace _old = new("data-old", "old");
    private readonly MigrationWorkspace _new = new("data-new", "new", "old");

    [Fact]
    public async Task LegacyFolderIntoS3_WithVerify_VerifiesEveryProof_AndEveryLegacyIdResolvesThroughTheHttpApi()
    {
        var legacy = LegacyFolder.Create(_old.LegacyPath);
        var prefix = S3TestHost.NewPrefix();
        _old.UsePrimary(Provider(servers.Primary, "S3", prefix));

        var (exitCode, output) = await _old.RunAsync("--source", legacy.Path, "--verify");

        Assert.True(exitCode == 3, output); // done, with the invalid files skipped and reported
        var summary = _old.ReadReport().GetProperty("summary");
        Assert.Equal(legacy.UniqueImages, summary.GetProperty("migrated").GetInt32());
        Assert.Equal(legacy.Duplicates, summary.GetProperty("deduplicated").GetInt32());
        Assert.Equal(legacy.Valid, summary.GetProperty("verified").GetInt32());
        Assert.Equal(0, summary.GetProperty("missing").GetInt32() + summary.GetProperty("corrupted").GetInt32());
        var objects = await S3TestHost.ReadBucketAsync(servers.Primary, prefix);
        Assert.Equal(legacy.UniqueImages + legacy.Proofs.Count, objects.Count); // one object per proof and per legacy id
        Assert.Empty(MigrationWorkspace.FilesUnder(Path.Combine(_old.DataPath, "proofs")));

        // The service on the same bucket and prefix answers every old id with its proof.
        using var api = S3TestHost.Create(prefix, servers.Primary);
        api.Settings["ProofStorage:Encryption:ActiveKeyId"] = "old";
        api.Settings["ProofStorage:Encryption:Keys:old"] = TestKeys.KeyBase64("old");
        using var client = api.CreateClient();
        foreach (var (legacyId, proof) in legacy.Proofs.Where(p => !legacy.SupersededIds.Contains(p.Key)))
        {
            using var response = await client.GetAsync($"/v1/proofs/{legacyId}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{legacyId}: {response.StatusCode}");
            using var record = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(proof, JsonMarshal.GetRawUtf8Value(record.RootElement.GetProperty("proof")).ToArray());
        }
    }

    [Fact]
    public async Task S3IntoR2Type_ProviderMigration_CopiesEverything_ReEncryptedUnderTheActiveKey()
    {
        var legacy = LegacyFolder.Create(_old.LegacyPath, unique: 12, exactDuplicates: 3, withInvalid: false);
        var sourcePrefix = S3TestHost.NewPrefix();
        var targetPrefix = S3TestHost.NewPrefix();
        _old.UsePrimary(Provider(servers.Primary, "S3", sourcePrefix));
        _new.UsePrimary(Provider(servers.Secondary, "R2", targetPrefix));
        var (seedExit, seedOutput) = await _old.RunAsync("--source", legacy.Path);
        Assert.True(seedExit == 0, seedOutput);

        var sourceConfig = _new.WriteConfig("source.json", _old.DataPath, ["old"], Provider(servers.Primary, "S3", sourcePrefix));
        var (exitCode, output) = await _new.RunAsync("--source-config", sourceConfig, "--verify");

        Assert.True(exitCode == 0, output);
        var before = await MigrationWorkspace.ReadStoreAsync(_old.ConfigPath);
        var after = await MigrationWorkspace.ReadStoreAsync(_new.ConfigPath);
        Assert.Equal(legacy.UniqueImages, before.Proofs.Count);
        Assert.Equal(before.Proofs, after.Proofs);
        Assert.Equal(before.Aliases, after.Aliases);
        Assert.Equal(before.Proofs.Count + before.Aliases.Count, _new.ReadReport().GetProperty("summary").GetProperty("verified").GetInt32());

        // Every object in the target bucket is sealed under "new": the key id follows 'P' 'S' version compression length.
        var objects = await S3TestHost.ReadBucketAsync(servers.Secondary, targetPrefix);
        Assert.Equal(before.Proofs.Count + before.Aliases.Count, objects.Count);
        Assert.All(objects.Values, envelope => Assert.Equal("new", Encoding.ASCII.GetString(envelope, 5, envelope[4])));
    }

    [Fact]
    public async Task FileSystemWithExplicitPathIntoS3_TheSourceSectionReplacesTheTargets()
    {
        // Source: a filesystem store at an explicit path. Its section must not inherit the S3 target's keys (ServiceUrl,
        // Bucket, …), which the filesystem provider refuses as unknown settings.
        var legacy = LegacyFolder.Create(_old.LegacyPath, unique: 6, exactDuplicates: 1, withInvalid: false);
        var sourceFolder = Path.Combine(_old.Root, "explicit-fs");
        var sourceSection = new JsonObject { ["Type"] = "FileSystem", ["Path"] = sourceFolder, ["FlushToDisk"] = false };
        _old.UsePrimary(sourceSection.DeepClone().AsObject());
        var (seedExit, seedOutput) = await _old.RunAsync("--source", legacy.Path);
        Assert.True(seedExit == 0, seedOutput);

        var targetPrefix = S3TestHost.NewPrefix();
        _new.UsePrimary(Provider(servers.Primary, "S3", targetPrefix));
        var sourceConfig = _new.WriteConfig("source.json", _old.DataPath, ["old"], sourceSection);
        var (exitCode, output) = await _new.RunAsync("--source-config", sourceConfig, "--verify");

        Assert.True(exitCode == 0, output);
        Assert.Equal($"store FileSystem {sourceFolder}", _new.ReadReport().GetProperty("source").GetString());
        var before = await MigrationWorkspace.ReadStoreAsync(_old.ConfigPath);
        Assert.Equal(before, await MigrationWorkspace.ReadStoreAsync(_new.ConfigPath), StoreStateComparer.Instance);
        Assert.Equal(legacy.UniqueImages, before.Proofs.Count);
    }

    [Fact]
    public async Task S3IntoFileSystemWithExplicitPath_TheSourceSectionReplacesTheTargets()
    {
        // Target: a filesystem store at an explicit path. The S3 source must not inherit its Path (an unknown S3 setting).
        var legacy = LegacyFolder.Create(_old.LegacyPath, unique: 6, exactDuplicates: 1, withInvalid: false);
        var sourcePrefix = S3TestHost.NewPrefix();
        _old.UsePrimary(Provider(servers.Primary, "S3", sourcePrefix));
        var (seedExit, seedOutput) = await _old.RunAsync("--source", legacy.Path);
        Assert.True(seedExit == 0, seedOutput);

        var targetFolder = Path.Combine(_new.Root, "explicit-fs");
        _new.UsePrimary(new JsonObject { ["Type"] = "FileSystem", ["Path"] = targetFolder, ["FlushToDisk"] = false });
        var sourceConfig = _new.WriteConfig("source.json", _old.DataPath, ["old"], Provider(servers.Primary, "S3", sourcePrefix));
        var (exitCode, output) = await _new.RunAsync("--source-config", sourceConfig, "--verify");

        Assert.True(exitCode == 0, output);
        var before = await MigrationWorkspace.ReadStoreAsync(_old.ConfigPath);
        Assert.Equal(before, await MigrationWorkspace.ReadStoreAsync(_new.ConfigPath), StoreStateComparer.Instance);
        Assert.NotEmpty(MigrationWorkspace.FilesUnder(Path.Combine(targetFolder, "proofs")));
    }

    public void Dispose()
    {
        _old.Dispose();
        _new.Dispose();
    }

    /// <summary>A provider section on a server, with the settings the API's S3 tests give theirs.</summary>
    private static JsonObject Provider(S3Server server, string type, string prefix)
    {
        var settings = new Dictionary<string, string?>();
        S3TestHost.Configure(settings, "Primary", server, type, prefix);
        var section = new JsonObject();
        foreach (var (key, value) in settings)
        {
            section[key["ProofStorage:Storage:Primary:".Length..]] = value;
        }

        return section;
    }
}

/// <summary>Two store states are equal when they hold the same proofs and aliases.</summary>
internal sealed class StoreStateComparer : IEqualityComparer<StoreState>
{
    public static StoreStateComparer Instance { get; } = new();

    public bool Equals(StoreState? x, StoreState? y) =>
        x is not null && y is not null && x.Proofs.SequenceEqual(y.Proofs) && x.Aliases.SequenceEqual(y.Aliases);

    public int GetHashCode(StoreState obj) => obj.Proofs.Count;
}
