using System.Diagnostics;
using ProofStorage.Core.Dedup;
using ProofStorage.Maintenance.Walking;
using ProofStorage.Testing;
using Xunit.Abstractions;

namespace ProofStorage.Migrate.Tests.Maintenance;

/// <summary>A scrub process killed part-way, then run again: it ends where an uninterrupted scrub ends, reading nothing twice it had finished.</summary>
public sealed class ScrubResumeTests(S3ServerFixture servers, ITestOutputHelper log) : IClassFixture<S3ServerFixture>, IDisposable
{
    private const int Proofs = 200;
    private const int BatchSize = 20;
    private readonly MigrationWorkspace _workspace = new("data");

    [Fact]
    public async Task KilledDeepScrub_ResumedByTheNextRun_RepairsEverything_AndReadsOnlyWhatItHadNotFinished()
    {
        var prefix = S3TestHost.NewPrefix();
        _workspace.UsePair(StoreFixtures.S3(servers.Primary, prefix), StoreFixtures.S3(servers.Secondary, prefix));
        var ids = await StoreFixtures.StoreAsync(_workspace.ConfigPath, Enumerable.Range(0, Proofs).Select(i => $"resume-{i:D4}"));
        var original = StoreFixtures.ObjectFiles(servers.Secondary, prefix);
        var damaged = original.Keys.Where((_, i) => i % 20 == 7).ToList();
        foreach (var id in damaged)
        {
            StoreFixtures.DeleteBehindTheBack(servers.Primary, prefix + DedupProtocol.ProofKey(id));
        }

        // 1. The built CLI as its own process, throttled so it is still running when its first batch is checkpointed; killed then.
        var dll = Path.Combine(AppContext.BaseDirectory, "ProofStorage.Migrate.dll");
        var start = TestProcesses.Dotnet(dll, ["scrub", "--deep", "--config", _workspace.ConfigPath, "--checkpoint", _workspace.Checkpoint, "--no-progress",
            "--batch-size", BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "--parallelism", "4", "--objects-per-second", "40"], _workspace.Root);
        WalkState? seen = null;
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(120) && !process.HasExited)
            {
                seen = TryLoad(_workspace.Checkpoint);
                if (seen is { LastKey: not null })
                {
                    process.Kill(entireProcessTree: true);
                    break;
                }

                await Task.Delay(10);
            }

            await process.WaitForExitAsync();
            Assert.True(seen is { LastKey: not null }, "the scrub never checkpointed a batch: " + await stderr);
        }

        var atKill = WalkState.Load(_workspace.Checkpoint)!;
        var finished = atKill.Count("keys");
        log.WriteLine($"killed with {finished} keys checkpointed");
        Assert.False(atKill.Completed);
        Assert.InRange(finished, BatchSize, Proofs - 1);

        // What the resumed run will find missing: damaged keys after the checkpoint that the killed run's unfinished batch
        // did not get to (it may have repaired some before it died; those it reads on both copies).
        var stillMissing = damaged.Count(id => string.CompareOrdinal(DedupProtocol.ProofKey(id), atKill.LastKey) > 0
            && !File.Exists(servers.Primary.ObjectFile(prefix + DedupProtocol.ProofKey(id))));

        // 2. The same command again resumes after the last finished batch.
        var (exitCode, output) = await _workspace.RunCommandAsync(["scrub"], "--deep", "--batch-size", BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(exitCode == 0, output);
        var report = _workspace.ReadReport();
        Assert.Equal(Proofs - finished, report.GetProperty("thisRun").GetProperty("keys").GetInt64());

        // It read each copy of each key it had not finished exactly once, and nothing it had (the killed run's unfinished
        // batch was not checkpointed, so it is read again: the one batch a kill may cost).
        var thisRun = report.GetProperty("thisRun");
        Assert.Equal((2 * (Proofs - finished)) - stillMissing, thisRun.GetProperty("objects.read").GetInt64());
        Assert.Equal(stillMissing, thisRun.TryGetProperty("repaired", out var repaired) ? repaired.GetInt64() : 0);
        Assert.Equal(Proofs, report.GetProperty("counts").GetProperty("keys").GetInt64());

        // Same final state as an uninterrupted scrub: both copies of every proof are the stored envelope.
        Assert.Equal(original, StoreFixtures.ObjectFiles(servers.Primary, prefix));
        Assert.Equal(original, StoreFixtures.ObjectFiles(servers.Secondary, prefix));
        Assert.Equal(ids.Values.Order(StringComparer.Ordinal), original.Keys);
    }

    private static WalkState? TryLoad(string path)
    {
        try
        {
            return WalkState.Load(path);
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _workspace.Dispose();
}
