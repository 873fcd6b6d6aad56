using System.Diagnostics;
using System.Globalization;
using ProofStorage.Migrate.Migration;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ProofStorage.Migrate.Console;

/// <summary>Shows the progress of a run: <c>advance(items, state)</c> is called after each batch.</summary>
internal interface IProgressView
{
    Task RunAsync(int total, string title, Func<Action<int, MigrationState>, Task> work);
}

/// <summary>A live Spectre.Console progress bar with count, rate and ETA (interactive terminals only).</summary>
internal sealed class LiveProgressView(IAnsiConsole console) : IProgressView
{
    public Task RunAsync(int total, string title, Func<Action<int, MigrationState>, Task> work) =>
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new CountColumn(), new RateColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(title, autoStart: true, maxValue: Math.Max(1, total));
                await work((items, _) => task.Increment(items)).ConfigureAwait(false);
                task.Value = task.MaxValue;
            });

    private sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture, $"{task.Value:0}/{task.MaxValue:0}"));
    }

    private sealed class RateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(string.Create(CultureInfo.InvariantCulture, $"{task.Speed ?? 0:0}/s"), new Style(Color.Grey));
    }
}

/// <summary>
/// Plain lines for redirected output and CI (no cursor movement, no animation): one line at most every
/// <paramref name="interval"/> and one at the end.
/// </summary>
internal sealed class PlainProgressView(TextWriter output, TimeSpan interval) : IProgressView
{
    public async Task RunAsync(int total, string title, Func<Action<int, MigrationState>, Task> work)
    {
        var started = Stopwatch.GetTimestamp();
        var lastPrinted = started;
        var done = 0;
        output.WriteLine($"{title} {total} item(s)");
        await work((items, _) =>
        {
            done += items;
            var now = Stopwatch.GetTimestamp();
            if (done == total || Stopwatch.GetElapsedTime(lastPrinted, now) >= interval)
            {
                lastPrinted = now;
                output.WriteLine(Line(done, total, Stopwatch.GetElapsedTime(started, now)));
            }
        }).ConfigureAwait(false);
    }

    internal static string Line(int done, int total, TimeSpan elapsed)
    {
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        var eta = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
        var percent = total == 0 ? 100 : 100.0 * done / total;
        return string.Create(CultureInfo.InvariantCulture, $"  {done}/{total} ({percent:0.0}%) {rate:0}/s ETA {eta:hh\\:mm\\:ss}");
    }
}
