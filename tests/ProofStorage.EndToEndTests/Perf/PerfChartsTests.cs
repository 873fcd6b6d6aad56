using System.Buffers.Binary;
using System.Text.RegularExpressions;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests.Perf;

/// <summary>
/// The perf report's charts. A smoke run of the harness (<c>PERF_SMOKE=1 bash perf/run.sh</c>) needs wrk, nginx and
/// minutes of both cores, too heavy for the test command: the GitHub perf job runs it (and fails when a chart is
/// missing). Here the charts are drawn, by the same scripts, from the raw results a smoke run recorded
/// (<c>recorded-smoke/</c>: its .jsonl, .meta.json with the RSS samples of the fill, and the corpus's compression table).
/// </summary>
public sealed partial class PerfChartsTests
{
    private static readonly string Recorded = Path.Combine(RepositoryPaths.Root, "tests", "ProofStorage.EndToEndTests", "Perf", "recorded-smoke");
    private static readonly string[] Kinds = ["throughput", "latency", "l1-rss"];

    [Fact]
    public async Task Charts_FromARecordedSmokeRun_AreWrittenAsNonEmptyPngsAndTheReportLinksThem()
    {
        var folder = TestFolders.New("perf-charts");
        Directory.CreateDirectory(folder);
        var prefix = Path.Combine(folder, "smoke");

        var (exitCode, output) = await RunAsync("/usr/bin/python3", "perf/charts.py", "--results", Path.Combine(Recorded, "smoke.jsonl"),
            "--meta", Path.Combine(Recorded, "smoke.meta.json"), "--out-prefix", prefix);

        Assert.True(exitCode == 0, "perf/charts.py failed (python3-matplotlib comes from scripts/install-test-deps.sh):\n" + output);
        var written = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Kinds.Select(k => $"{prefix}-{k}.png"), written);
        foreach (var chart in written)
        {
            var (width, height) = PngSize(chart);
            Assert.True(width >= 600 && height >= 300, $"{chart} is {width}x{height}");
            Assert.True(new FileInfo(chart).Length > 10_000, $"{chart} has {new FileInfo(chart).Length} bytes: an empty plot?");
        }

        var report = Path.Combine(folder, "smoke.md");
        (exitCode, output) = await RunAsync("python3", ["perf/report.py", "--results", Path.Combine(Recorded, "smoke.jsonl"),
            "--meta", Path.Combine(Recorded, "smoke.meta.json"), "--compression", Path.Combine(Recorded, "compression.md"), "--out", report,
            .. written.SelectMany(c => new[] { "--chart", Path.GetFileName(c) })]);

        Assert.True(exitCode == 0, "perf/report.py failed:\n" + output);
        var links = ImageLink().Matches(await File.ReadAllTextAsync(report)).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(written.Select(Path.GetFileName), links);
    }

    [Fact]
    public void CommittedReports_LinkOnlyChartsThatExist()
    {
        var results = Path.Combine(RepositoryPaths.Root, "perf", "results");
        var reports = Directory.EnumerateFiles(results, "*.md").ToList();
        Assert.NotEmpty(reports);
        var linked = 0;
        foreach (var report in reports)
        {
            foreach (Match link in ImageLink().Matches(File.ReadAllText(report)))
            {
                linked++;
                var target = Path.Combine(results, link.Groups[1].Value);
                Assert.True(File.Exists(target), $"{Path.GetFileName(report)} links {link.Groups[1].Value}, which does not exist");
                Assert.True(PngSize(target).Width > 0);
            }
        }

        Assert.True(linked > 0, "no committed perf report links a chart");
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 24 && bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }),
            $"{path} is not a PNG");
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args)
    {
        var (exitCode, output, errors) = await TestProcesses.RunAsync(program, args, RepositoryPaths.Root, TimeSpan.FromMinutes(5),
            "run `bash scripts/install-test-deps.sh` (python3-matplotlib for /usr/bin/python3).");
        return (exitCode, exitCode == 0 ? output : output + errors);
    }

    [GeneratedRegex(@"!\[[^\]]*\]\(([^)\s]+\.png)\)")]
    private static partial Regex ImageLink();
}
