using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Core;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Migrate.Hosting;
using ProofStorage.Migrate.Migration;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests;

/// <summary>The CLI on generated legacy folders: duplicates, malformed files, an oversized record, unicode metadata.</summary>
public sealed class LegacyMigrationTests : IDisposable
{
    private readonly MigrationWorkspace _workspace = new();
    private readonly LegacyFolder _legacy;

    public LegacyMigrationTests() => _legacy = LegacyFolder.Create(_workspace.LegacyPath);

    [Fact]
    public async Task BadProviderSectionsInBothSlots_ExitWithAUsageErrorNamingEachSetting()
    {
        var (exitCode, output) = await _workspace.RunAsync("--source", _legacy.Path, "--dry-run",
            "--set", "ProofStorage:Storage:Primary:Pth=/srv/proofs", "--set", "ProofStorage:Storage:Secondary:Type=R2");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("Configuration error", output, StringComparison.Ordinal);
        Assert.Contains("ProofStorage:Storage:Primary: unknown setting(s) Pth", output, StringComparison.Ordinal);
        Assert.Contains("ProofStorage:Storage:Secondary: an R2 provider needs AccountId", output, StringComparison.Ordinal);
        Assert.Empty(MigrationWorkspace.FilesUnder(_workspace.DataPath));
    }

    [Fact]
    public async Task DryRun_ReadsAndValidatesEverything_AndWritesNothing()
    {
        var (exitCode, output) = await _workspace.RunAsync("--source", _legacy.Path, "--dry-run");

        Assert.Equal(3, exitCode);
        // Its probe objects (timing the target for the duration estimate) are deleted again.
        Assert.Empty(MigrationWorkspace.ObjectFilesUnder(_workspace.DataPath));
        Assert.False(File.Exists(_workspace.Checkpoint));
        var report = _workspace.ReadReport();
        Assert.True(report.GetProperty("dryRun").GetBoolean());
        var summary = report.GetProperty("summary");
        Assert.Equal(_legacy.Valid + _legacy.InvalidFiles.Count, summary.GetProperty("total").GetInt32());
        Assert.Equal(_legacy.UniqueImages, summary.GetProperty("migrated").GetInt32());
        Assert.Equal(_legacy.Duplicates, summary.GetProperty("deduplicated").GetInt32());
        Assert.Equal(_legacy.InvalidFiles.Count, summary.GetProperty("skipped").GetInt32());
        var estimate = report.GetProperty("dryRunEstimate");
        Assert.Equal(_legacy.UniqueImages, estimate.GetProperty("newProofs").GetInt32());
        Assert.True(estimate.GetProperty("storedBytes").GetInt64() > 0);
        Assert.Equal(_legacy.InvalidFiles, report.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        Assert.Contains("would migrate", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRunEstimate_IsExactlyWhatTheRealRunWrites()
    {
        // The dry run prepares each new proof with the target's own write pipeline, so its estimate is not an estimate.
        await _workspace.RunAsync("--source", _legacy.Path, "--dry-run");
        var estimated = _workspace.ReadReport().GetProperty("dryRunEstimate").GetProperty("storedBytes").GetInt64();

        await _workspace.RunAsync("--source", _legacy.Path);

        using var host = MigrationHost.Build([_workspace.ConfigPath], [], [], Microsoft.Extensions.Logging.LogLevel.Warning);
        var storage = host.Services.GetRequiredService<StorageManager>().Storage;
        long written = 0;
        var proofs = 0;
        await foreach (var key in storage.ListKeysAsync(DedupProtocol.ProofPrefix, CancellationToken.None))
        {
            written += (await storage.GetAsync(key, CancellationToken.None))!.Content.Length;
            proofs++;
        }

        Assert.Equal(_legacy.UniqueImages, proofs);
        Assert.Equal(written, estimated);
    }

    [Fact]
    public async Task FullRunWithVerify_VerifiesEveryProof_AndCountsDuplicates()
    {
        var (exitCode, output) = await _workspace.RunAsync("--source", _legacy.Path, "--verify");

        // 3 = done, but invalid records were skipped (and reported).
        Assert.True(exitCode == 3, output);
        var summary = _workspace.ReadReport().GetProperty("summary");
        Assert.Equal(_legacy.UniqueImages, summary.GetProperty("migrated").GetInt32());
        Assert.Equal(_legacy.Duplicates, summary.GetProperty("deduplicated").GetInt32());
        Assert.Equal(_legacy.InvalidFiles.Count, summary.GetProperty("skipped").GetInt32());
        Assert.Equal(0, summary.GetProperty("failed").GetInt32());
        Assert.Equal(_legacy.Valid, summary.GetProperty("verified").GetInt32());
        Assert.Equal(0, summary.GetProperty("missing").GetInt32());
        Assert.Equal(0, summary.GetProperty("corrupted").GetInt32());
        Assert.Equal(_legacy.SupersededIds.Count, summary.GetProperty("superseded").GetInt32());

        var store = await MigrationWorkspace.ReadStoreAsync(_workspace.ConfigPath);
        Assert.Equal(_legacy.UniqueImages, store.Proofs.Count);
        Assert.Equal(_legacy.Proofs.Keys.Order(StringComparer.Ordinal), store.Aliases.Keys);
    }

    [Fact]
    public async Task FullRun_ProblemsInTheReport_SayWhyEachItemWasSkipped()
    {
        await _workspace.RunAsync("--source", _legacy.Path);

        var problems = _workspace.ReadReport().GetProperty("problems").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => (p.GetProperty("status").GetString(), p.GetProperty("reason").GetString()!));
        Assert.Equal(("skipped", true), (problems["x-malformed.json"].Item1, problems["x-malformed.json"].Item2.Contains("malformed JSON", StringComparison.Ordinal)));
        Assert.Contains("imageHash", problems["y-no-hash.json"].Item2, StringComparison.Ordinal);
        Assert.Contains("limit", problems["z-oversized.json"].Item2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryLegacyId_ResolvesThroughTheHttpApi_ToItsProofByteForByte()
    {
        var (exitCode, output) = await _workspace.RunAsync("--source", _legacy.Path, "--verify");
        Assert.True(exitCode == 3, output);

        using var api = new ProofStorageApiFactory(_workspace.DataPath);
        using var client = api.CreateClient();
        foreach (var (legacyId, proof) in _legacy.Proofs)
        {
            using var response = await client.GetAsync($"/v1/proofs/{legacyId}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{legacyId}: {response.StatusCode}");
            var body = await response.Content.ReadAsByteArrayAsync();
            using var record = JsonDocument.Parse(body);
            var root = record.RootElement;
            Assert.Equal(DedupProtocol.ProofIdFor(ImageHash.Parse(TestKeys.ImageHash(_legacy.Images[legacyId]))), root.GetProperty("proofId").GetString());
            Assert.Equal("Zürich 東京 🌍", root.GetProperty("metadata").GetProperty("place").GetString());
            var storedProof = JsonMarshal.GetRawUtf8Value(root.GetProperty("proof")).ToArray();
            if (_legacy.SupersededIds.Contains(legacyId))
            {
                // A later record of an image already migrated: its id resolves to the proof kept for the image.
                Assert.NotEqual(proof, storedProof);
            }
            else
            {
                Assert.Equal(proof, storedProof);
                Assert.Equal(DateTimeOffset.Parse(_legacy.CreatedAt[legacyId], System.Globalization.CultureInfo.InvariantCulture),
                    root.GetProperty("createdAt").GetDateTimeOffset());
            }
        }

        using var unknown = await client.GetAsync("/v1/proofs/legacy-never-existed");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task DeleteAfter_WithoutConfirmation_IsRefused_AndDeletesNothing()
    {
        var before = Directory.GetFiles(_legacy.Path).Length;

        var (exitCode, output) = await _workspace.RunAsync("--source", _legacy.Path, "--delete-after");

        Assert.Equal(2, exitCode);
        Assert.Contains("--yes-i-understand", output, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(_legacy.Path).Length);
        Assert.Empty(MigrationWorkspace.FilesUnder(_workspace.DataPath));
    }

    [Fact]
    public async Task DeleteAfter_RemovesOnlyVerifiedItems_FromTheLegacyFolder()
    {
        var (exitCode, output) = await _workspace.RunAsync("--source", _legacy.Path, "--delete-after", "--yes-i-understand");

        Assert.True(exitCode == 3, output);
        var left = Directory.GetFiles(_legacy.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        // Kept: the invalid files, and the duplicate whose own proof bytes are not in the target.
        Assert.Equal(_legacy.InvalidFiles.Append("c-00000.json").Order(StringComparer.Ordinal), left);
        var summary = _workspace.ReadReport().GetProperty("summary");
        Assert.Equal(_legacy.Valid - _legacy.SupersededIds.Count, summary.GetProperty("deleted").GetInt32());
        Assert.Equal(_legacy.Valid, summary.GetProperty("verified").GetInt32());
    }

    [Fact]
    public async Task SecondRun_AfterACompletedRun_RedoesNothing()
    {
        await _workspace.RunAsync("--source", _legacy.Path, "--verify");
        var files = MigrationWorkspace.FilesUnder(_workspace.DataPath);

        var (exitCode, output) = await _workspace.RunAsync("--source", _legacy.Path, "--verify");

        Assert.True(exitCode == 3, output);
        Assert.Equal(0, _workspace.ReadReport().GetProperty("summary").GetProperty("processedThisRun").GetInt32());
        Assert.Equal(files, MigrationWorkspace.FilesUnder(_workspace.DataPath));
    }

    [Fact]
    public async Task CleanFolder_ExitsZero()
    {
        using var clean = new MigrationWorkspace();
        var legacy = LegacyFolder.Create(clean.LegacyPath, unique: 10, exactDuplicates: 3, withInvalid: false);

        var (exitCode, output) = await clean.RunAsync("--source", legacy.Path, "--verify", "--batch-size", "4", "--parallelism", "3");

        // The one superseded duplicate is not a failure: its id resolves to the kept proof of its image.
        Assert.True(exitCode == 0, output);
        Assert.Contains("everything requested succeeded", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--verify")]
    [InlineData("--dry-run")]
    public async Task OneLegacyIdForTwoImages_KeepsTheFirst_AndSkipsTheOther(string mode)
    {
        using var workspace = new MigrationWorkspace();
        var legacy = LegacyFolder.Create(workspace.LegacyPath, unique: 3, exactDuplicates: 0, withInvalid: false);
        File.WriteAllText(Path.Combine(legacy.Path, "d-conflict.json"),
            $"{{\"id\":\"legacy-00001\",\"imageHash\":\"{TestKeys.ImageHash("other image")}\",\"createdAt\":\"2020-01-01T00:00:00Z\",\"proof\":{{}}}}");

        var (exitCode, output) = await workspace.RunAsync("--source", legacy.Path, mode);

        // A dry run refuses the second record as the run does (its report and estimate are the run's).
        Assert.True(exitCode == 3, output);
        var problem = Assert.Single(workspace.ReadReport().GetProperty("problems").EnumerateArray());
        Assert.Equal("d-conflict.json", problem.GetProperty("name").GetString());
        Assert.Contains("already names another image (in a-00001.json)", problem.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var store = await MigrationWorkspace.ReadStoreAsync(workspace.ConfigPath);
        Assert.Equal(mode == "--dry-run" ? null : DedupProtocol.ProofIdFor(ImageHash.Parse(TestKeys.ImageHash("image-1"))),
            store.Aliases.GetValueOrDefault("legacy-00001"));
    }

    [Fact]
    public async Task LegacyIdsEachNamingTwoImages_AreKeptByTheFirstFileByName_HoweverTheStoresAreScheduled()
    {
        // Two hundred legacy ids, each named by two files of two images: p-NNN-a1 (image a, after p-NNN-a0 of the same image, so
        // its group stores a0 first) and p-NNN-b (image b, alone), one id per batch of three. The images' groups run in
        // parallel; the first file by name, a1, must keep the id in every batch, although b's group may reach its item first.
        using var workspace = new MigrationWorkspace();
        var legacy = LegacyFolder.Create(workspace.LegacyPath, unique: 0, exactDuplicates: 0, withInvalid: false);
        const int Ids = 200;
        for (var i = 0; i < Ids; i++)
        {
            foreach (var (file, id, image) in new[] { ("a0", $"other-{i:D3}", "a"), ("a1", $"legacy-{i:D3}", "a"), ("b", $"legacy-{i:D3}", "b") })
            {
                File.WriteAllText(Path.Combine(legacy.Path, $"p-{i:D3}-{file}.json"),
                    $"{{\"id\":\"{id}\",\"imageHash\":\"{TestKeys.ImageHash($"image {i} {image}")}\",\"createdAt\":\"2020-01-01T00:00:00Z\",\"proof\":{{\"n\":{i}}}}}");
            }
        }

        var (exitCode, output) = await workspace.RunAsync("--source", legacy.Path, "--batch-size", "3");

        Assert.True(exitCode == 3, output);
        var refused = workspace.ReadReport().GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(0, Ids).Select(i => $"p-{i:D3}-b.json"), refused);
        var store = await MigrationWorkspace.ReadStoreAsync(workspace.ConfigPath);
        Assert.All(Enumerable.Range(0, Ids), i =>
            Assert.Equal(DedupProtocol.ProofIdFor(ImageHash.Parse(TestKeys.ImageHash($"image {i} a"))), store.Aliases[$"legacy-{i:D3}"]));
    }

    public void Dispose() => _workspace.Dispose();
}
