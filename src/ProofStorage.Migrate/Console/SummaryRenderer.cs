using System.Globalization;
using ProofStorage.Migrate.Migration;
using Spectre.Console;

namespace ProofStorage.Migrate.Console;

/// <summary>The final table of every operator command: a title, rows of name and value, and the exit code with its meaning.</summary>
internal sealed class SummaryTable(string title)
{
    private readonly Table _table = new Table().Border(TableBorder.Rounded).Title(title).AddColumn("").AddColumn(new TableColumn("value").RightAligned());

    public SummaryTable Row(string name, string value)
    {
        _table.AddRow(Markup.Escape(name), Markup.Escape(value));
        return this;
    }

    public SummaryTable Row(string name, long value) => Row(name, N(value));

    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Writes the table, then <c>exit code N: verdict</c> (<paramref name="verdict"/> is Spectre markup).</summary>
    public void Render(IAnsiConsole console, int exitCode, string verdict)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Write(_table);
        console.MarkupLine($"exit code {exitCode}: {verdict}");
    }
}

/// <summary>The migration's final table: totals, then verification, then timing.</summary>
internal static class SummaryRenderer
{
    public static void Render(IAnsiConsole console, MigrationRunResult result, MigrationSummary summary, DryRunEstimate? estimate, int exitCode)
    {
        var table = new SummaryTable(result.DryRun ? "Migration (dry run: nothing kept)" : "Migration");
        void Row(string name, string value) => table.Row(name, value);
        static string N(long value) => SummaryTable.N(value);

        Row("source", result.Source);
        Row("target", result.Target);
        Row("total", N(summary.Total));
        Row(result.DryRun ? "would migrate" : "migrated", N(summary.Migrated));
        Row(result.DryRun ? "would deduplicate" : "deduplicated", N(summary.Deduplicated));
        Row("skipped (invalid)", N(summary.Skipped));
        Row("failed", N(summary.Failed));
        Row("success rate", summary.SuccessRate.ToString("P1", CultureInfo.InvariantCulture));
        Row("legacy ids as aliases", N(summary.AliasesRegistered));
        if (summary.Superseded > 0)
        {
            Row("duplicates with another proof (kept in source)", N(summary.Superseded));
        }

        if (summary.VerifyRequested)
        {
            Row("verified", N(summary.Verified));
            Row("missing", N(summary.Missing));
            Row("corrupted", N(summary.Corrupted));
        }

        if (summary.Deleted > 0)
        {
            Row("deleted from source", N(summary.Deleted));
        }

        if (estimate is not null)
        {
            Row("estimate: new proofs", N(estimate.NewProofs));
            Row("estimate: bytes to write", N(estimate.StoredBytes));
            if (estimate.DurationSeconds is { } seconds)
            {
                Row("estimate: duration of the run", TimeSpan.FromSeconds(seconds).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture));
            }

            Row("estimate: how", estimate.Method ?? "");
        }

        Row("retries", N(summary.Retries));
        Row("duration (this run)", TimeSpan.FromSeconds(summary.DurationSeconds).ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture));
        Row("average per proof", summary.AverageMillisecondsPerProof.ToString("0.000 'ms'", CultureInfo.InvariantCulture));
        Row("proofs/s", summary.ProofsPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        var verdict = exitCode switch
        {
            ExitCodes.Success => "[green]everything requested succeeded[/]",
            ExitCodes.Skipped => "[yellow]done, but invalid records were skipped (see the report)[/]",
            ExitCodes.Interrupted => "[yellow]interrupted: run the same command again to resume[/]",
            _ => "[red]some items failed (see the report); run the same command again to retry them[/]",
        };
        table.Render(console, exitCode, verdict);
    }
}
