using ProofStorage.Migrate.Migration;

namespace ProofStorage.Migrate.Tests;

/// <summary>The dry run's duration estimate: its arithmetic on made-up samples, and what a real dry run feeds it.</summary>
public sealed class DryRunEstimateTests : IDisposable
{
    private readonly MigrationWorkspace _workspace = new();

    [Fact]
    public void Estimate_AgainstASlowTarget_IsListingLoadingAndTheRequestsAtTheProbesPace()
    {
        // The probe: 128 creates + 132 reads in 0.65 s (2.5 ms a request) costing 0.026 CPU-s (0.1 ms a request). The run:
        // 0.5 s listing + 2 s loading + (2,000 writes + 2,040 reads) x 2.5 ms, which outweighs its CPU:
        // (3 CPU-s preparing + 4,040 x 0.1 ms) over 2 cores.
        var sample = new DryRunSample(Parallelism: 16, Processors: 2, ListSeconds: 0.5, LoadSeconds: 2, CpuSeconds: 3,
            Writes: 2000, Reads: 2040, Deletes: 0,
            new ProbeRates(64, 2690, Writes: 128, Reads: 132, Seconds: 0.65, Deletes: 128, DeleteSeconds: 0.1, CpuSeconds: 0.026));

        Assert.Equal(0.5 + 2 + 4040 * 0.0025, DryRunEstimator.Estimate(sample).TotalSeconds, 9);
    }

    [Fact]
    public void Estimate_WhenThisProcessIsTheBound_IsTheCpuOverTheCores()
    {
        // A local filesystem: the probe's requests took 0.1 ms each and cost 0.4 ms of CPU each across threads; the run's
        // 4,040 requests then need 1.616 CPU-s on top of 3 CPU-s preparing, over 2 cores: 2.308 s, more than 0.404 s.
        var sample = new DryRunSample(Parallelism: 16, Processors: 2, ListSeconds: 0.5, LoadSeconds: 2, CpuSeconds: 3,
            Writes: 2000, Reads: 2040, Deletes: 0,
            new ProbeRates(64, 2690, Writes: 128, Reads: 132, Seconds: 0.026, Deletes: 128, DeleteSeconds: 0.1, CpuSeconds: 0.104));

        Assert.Equal(0.5 + 2 + (3 + 4040 * 0.0004) / 2, DryRunEstimator.Estimate(sample).TotalSeconds, 9);
    }

    [Fact]
    public void Estimate_CpuSpreadsOverNoMoreCoresThanTheParallelism_AndDeletesCount()
    {
        // --delete-after: 400 deletes at the probe's 100 deletes in 0.5 s (2 s in all), or their CPU (400 x 1 ms) with
        // 3 CPU-s preparing on the one core parallelism 1 uses (3.4 s): the larger.
        var sample = new DryRunSample(Parallelism: 1, Processors: 8, ListSeconds: 0, LoadSeconds: 0, CpuSeconds: 3,
            Writes: 0, Reads: 0, Deletes: 400,
            new ProbeRates(32, 1024, Writes: 50, Reads: 50, Seconds: 1, Deletes: 100, DeleteSeconds: 0.5, DeleteCpuSeconds: 0.1));

        Assert.Equal(3 + 0.4, DryRunEstimator.Estimate(sample).TotalSeconds, 9);
    }

    [Fact]
    public void Complete_SaysHowItEstimated_OrWhyItCouldNot()
    {
        var counts = new DryRunEstimate(10, 1, 11, 30_000, 50_000);
        var sample = new DryRunSample(8, 2, 0.1, 0.2, 0.4, 22, 23, 0, new ProbeRates(64, 2690, 128, 132, 0.26, 128, 0.1));

        var estimated = DryRunEstimator.Complete(counts, sample, null);
        var unknown = DryRunEstimator.Complete(counts, null, "the target could not be timed: refused");

        Assert.Equal(0.1 + 0.2 + Math.Max(45 * 0.001, 0.4 / 2), estimated.DurationSeconds!.Value, 3);
        Assert.Contains("22 writes + 23 reads at 1.000 ms each", estimated.Method, StringComparison.Ordinal);
        Assert.Contains("64 probe items sending the same mix, 128 creates and 132 reads of 2,690 B probe objects", estimated.Method, StringComparison.Ordinal);
        Assert.Same(sample, estimated.Basis);
        Assert.Null(unknown.DurationSeconds);
        Assert.Equal("no duration estimate: the target could not be timed: refused", unknown.Method);
    }

    [Fact]
    public async Task DryRunWithVerify_CountsTheRequestsARealRunSends_TimesTheTarget_AndLeavesNoProbeObject()
    {
        var legacy = LegacyFolder.Create(_workspace.LegacyPath, unique: 20, exactDuplicates: 4, withInvalid: false);

        var (exitCode, output) = await _workspace.RunAsync("--source", legacy.Path, "--dry-run", "--verify", "--parallelism", "4");

        Assert.True(exitCode == 0, output);
        var estimate = _workspace.ReadReport().GetProperty("dryRunEstimate");
        var basis = estimate.GetProperty("basis");

        // Every record: its proof's create and its legacy id's; a duplicate also reads the proof it lost to; --verify
        // reads each legacy id back (the alias, then the proof).
        Assert.Equal(2 * legacy.Valid, basis.GetProperty("writes").GetInt64());
        Assert.Equal(legacy.Duplicates + 2 * legacy.Valid, basis.GetProperty("reads").GetInt64());
        Assert.Equal(0, basis.GetProperty("deletes").GetInt64());
        Assert.Equal(4, basis.GetProperty("parallelism").GetInt32());
        // The probe sent the same mix: 2 creates per item, and (duplicates + 2 × valid) ÷ valid reads.
        var probe = basis.GetProperty("probe");
        var items = TargetProbe.ItemsFor(4);
        Assert.Equal(items, probe.GetProperty("items").GetInt32());
        Assert.Equal(2 * items, probe.GetProperty("writes").GetInt64());
        Assert.Equal(Math.Floor(items * (legacy.Duplicates + 2.0 * legacy.Valid) / legacy.Valid), probe.GetProperty("reads").GetInt64());
        Assert.True(probe.GetProperty("seconds").GetDouble() > 0);
        Assert.True(estimate.GetProperty("durationSeconds").GetDouble() > 0);
        Assert.Contains("probe objects", estimate.GetProperty("method").GetString(), StringComparison.Ordinal);
        Assert.Contains("estimate: duration of the run", output, StringComparison.Ordinal);

        // The probe objects were deleted: the target holds no object at all after a dry run.
        Assert.Empty(MigrationWorkspace.ObjectFilesUnder(_workspace.DataPath));
    }

    public void Dispose() => _workspace.Dispose();
}
