using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ProofStorage.Migrate.Console;

/// <summary>
/// Shows the progress of a run of any operator command (migration, scrub, census, re-encryption): <c>advance(items)</c> is
/// called after each batch. <c>total</c> is <see langword="null"/> when unknown (a walk of a store streams its listing).
/// </summary>
internal interface IProgressView
{
    Task RunAsync(int? total, string title, Func<Action<int>, Task> work);
}

/// <summary>A live Spectre.Console progress bar with count, rate and ETA (interactive terminals only).</summary>
internal sealed class LiveProgressView(IAnsiConsole console) : IProgressView
{
    public Task RunAsync(int? total, string title, Func<Action<int>, Task> work) =>
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new CountColumn(), new RateColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(title, autoStart: true, maxValue: Math.Max(1, total ?? 1));
                task.IsIndeterminate = total is null;
                var done = 0;
                await work(items =>
                {
                    done += items;
                    if (total is null)
                    {
                        task.Description = $"{title} ({done:N0})";
                    }
                    else
                    {
                        task.Increment(items);
                    }
                }).ConfigureAwait(false);
                task.IsIndeterminate = false;
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
    public async Task RunAsync(int? total, string title, Func<Action<int>, Task> work)
    {
        var started = Stopwatch.GetTimestamp();
        var lastPrinted = started;
        var done = 0;
        output.WriteLine(total is null ? title : $"{title} {total} item(s)");
        await work(items =>
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

    internal static string Line(int done, int? total, TimeSpan elapsed)
    {
        if (total is null)
        {
            return string.Create(CultureInfo.InvariantCulture, $"  {done} ({(elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0):0}/s)");
        }

        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        var eta = rate > 0 ? TimeSpan.FromSeconds((total.Value - done) / rate) : TimeSpan.Zero;
        var percent = total == 0 ? 100 : 100.0 * done / total;
        return string.Create(CultureInfo.InvariantCulture, $"  {done}/{total} ({percent:0.0}%) {rate:0}/s ETA {eta:hh\\:mm\\:ss}");
    }
}
