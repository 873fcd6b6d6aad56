using Xunit.Abstractions;
using System.Diagnostics;
using ProofStorage.Migrate.Migration;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests;

/// <summary>A real process killed part-way, then run again, ends where an uninterrupted run ends.</summary>
public sealed class ResumeTests(ITestOutputHelper log) : IDisposable
{
    // Large enough that the run is still going when the first checkpoint appears, even in Release on a quiet machine
    // (with 1000 items a fast run finished between two polls of the checkpoint).
    private const int Items = 3000;
    private readonly MigrationWorkspace _interrupted = new("data-interrupted");
    private readonly MigrationWorkspace _reference = new("data-reference");

    [Fact]
    public async Task KilledRun_ResumedByTheNextRun_EndsInTheSameStateAsAnUninterruptedRun()
    {
        var stopwatch = Stopwatch.StartNew();
        var legacy = LegacyFolder.Create(_interrupted.LegacyPath, unique: Items, exactDuplicates: 100, withInvalid: true, padding: 1024);

        // 1. Start the built CLI as its own process and kill it as soon as the checkpoint shows a finished batch.
        using (var process = StartCli(_interrupted, "--source", legacy.Path, "--batch-size", "25", "--parallelism", "2"))
        {
            var watch = Stopwatch.StartNew();
            MigrationState? seen = null;
            while (watch.Elapsed < TimeSpan.FromSeconds(90) && !process.HasExited)
            {
                seen = TryLoad(_interrupted.Checkpoint);
                if (seen is { ItemsSeen: >= 25 })
                {
                    process.Kill(entireProcessTree: true);
                    break;
                }

                await Task.Delay(5);
            }

            await process.WaitForExitAsync();
            Assert.True(seen is { ItemsSeen: >= 25 }, "the CLI never reported progress in its checkpoint: " + await process.StandardError.ReadToEndAsync());
        }

        log.WriteLine($"killed after {stopwatch.Elapsed}");
        var atKill = MigrationState.Load(_interrupted.Checkpoint)!;
        Assert.False(atKill.Completed);
        Assert.InRange(atKill.ItemsSeen, 25, legacy.Valid + legacy.InvalidFiles.Count - 1);

        // 2. Run again: it continues from the checkpoint.
        var (resumedExit, resumedOutput) = await _interrupted.RunAsync("--source", legacy.Path, "--verify");
        Assert.True(resumedExit == 3, resumedOutput);
        var resumedReport = _interrupted.ReadReport().GetProperty("summary");
        Assert.True(resumedReport.GetProperty("processedThisRun").GetInt32() < legacy.Valid + legacy.InvalidFiles.Count);
        Assert.Equal(legacy.Valid + legacy.InvalidFiles.Count, resumedReport.GetProperty("total").GetInt32());
        Assert.Equal(0, resumedReport.GetProperty("failed").GetInt32());
        Assert.Equal(0, resumedReport.GetProperty("missing").GetInt32() + resumedReport.GetProperty("corrupted").GetInt32());

        log.WriteLine($"resumed after {stopwatch.Elapsed}");

        // 3. The same folder migrated without interruption.
        var (referenceExit, referenceOutput) = await _reference.RunAsync("--source", legacy.Path, "--verify");
        Assert.True(referenceExit == 3, referenceOutput);

        log.WriteLine($"reference after {stopwatch.Elapsed}");
        var resumed = await MigrationWorkspace.ReadStoreAsync(_interrupted.ConfigPath);
        var reference = await MigrationWorkspace.ReadStoreAsync(_reference.ConfigPath);
        Assert.Equal(legacy.UniqueImages, reference.Proofs.Count);
        Assert.Equal(reference.Proofs.Keys, resumed.Proofs.Keys);
        Assert.Equal(reference.Aliases, resumed.Aliases);
        foreach (var (proofId, record) in reference.Proofs)
        {
            // Same record byte for byte (the legacy createdAt is kept, so records do not depend on when they were written).
            Assert.Equal(record, resumed.Proofs[proofId]);
        }

        // No stray objects: the same set of stored files. (The kill may leave a hidden temp file of a write in flight;
        // the provider never lists or reads those.)
        Assert.Equal(StoredFiles(_reference.DataPath), StoredFiles(_interrupted.DataPath));
        log.WriteLine($"compared after {stopwatch.Elapsed}");

    }

    private static IEnumerable<string> StoredFiles(string dataPath) =>
        MigrationWorkspace.FilesUnder(Path.Combine(dataPath, "proofs")).Where(f => !Path.GetFileName(f).StartsWith('.'));

    private static MigrationState? TryLoad(string path)
    {
        try
        {
            return MigrationState.Load(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static Process StartCli(MigrationWorkspace workspace, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ProofStorage.Migrate.dll");
        Assert.True(File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), $"the built CLI is missing at {dll}");
        var start = TestProcesses.Dotnet(dll, new[] { "--config", workspace.ConfigPath, "--checkpoint", workspace.Checkpoint, "--no-progress" }.Concat(args),
            workspace.Root);

        var process = Process.Start(start)!;
        // Drain stdout so a full pipe never stalls the child.
        _ = process.StandardOutput.ReadToEndAsync();
        return process;
    }

    public void Dispose()
    {
        _interrupted.Dispose();
        _reference.Dispose();
    }
}
