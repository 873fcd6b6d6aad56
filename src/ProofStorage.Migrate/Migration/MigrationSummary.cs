using System.Text.Json;
using System.Text.Json.Serialization;
using ProofStorage.Maintenance.Walking;

namespace ProofStorage.Migrate.Migration;

/// <summary>The figures of the summary table and the report: the whole migration so far (all runs), plus this run's timing.</summary>
internal sealed record MigrationSummary
{
    public required long Total { get; init; }

    public required long Migrated { get; init; }

    public required long Deduplicated { get; init; }

    public required long Skipped { get; init; }

    public required long Failed { get; init; }

    /// <summary>Items that went fully well (stored, and verified/deleted when asked) ÷ total.</summary>
    public required double SuccessRate { get; init; }

    public required long AliasesRegistered { get; init; }

    public required long Superseded { get; init; }

    public required bool VerifyRequested { get; init; }

    public required long Verified { get; init; }

    public required long Missing { get; init; }

    public required long Corrupted { get; init; }

    public required long Deleted { get; init; }

    public required long Retries { get; init; }

    public required int ProcessedThisRun { get; init; }

    public required double DurationSeconds { get; init; }

    public required double TotalDurationSeconds { get; init; }

    public required double AverageMillisecondsPerProof { get; init; }

    public required double ProofsPerSecond { get; init; }

    public static MigrationSummary From(MigrationRunResult result, bool verifyRequested, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(result);
        var state = result.State;
        var problems = state.Problems.Values;
        var total = state.ItemsSeen;
        return new MigrationSummary
        {
            Total = total,
            Migrated = state.Counts.Migrated + problems.Count(p => p.Status == ItemStatus.Migrated),
            Deduplicated = state.Counts.Deduplicated + problems.Count(p => p.Status == ItemStatus.Deduplicated),
            Skipped = problems.Count(p => p.Status == ItemStatus.Skipped),
            Failed = problems.Count(p => p.Status == ItemStatus.Failed),
            SuccessRate = total == 0 ? 1 : Math.Round((double)state.Counts.Ok / total, 4),
            AliasesRegistered = state.Counts.Aliases + problems.Count(p => p.LegacyId is not null && p.Status is ItemStatus.Migrated or ItemStatus.Deduplicated),
            Superseded = state.Superseded.Count,
            VerifyRequested = verifyRequested,
            Verified = state.Counts.Verified + problems.Count(p => p.Verification == VerifyStatus.Verified),
            Missing = problems.Count(p => p.Verification == VerifyStatus.Missing),
            Corrupted = problems.Count(p => p.Verification == VerifyStatus.Corrupted),
            Deleted = state.Counts.Deleted + problems.Count(p => p.Deleted),
            Retries = result.Retries,
            ProcessedThisRun = result.ProcessedThisRun,
            DurationSeconds = Math.Round(duration.TotalSeconds, 3),
            TotalDurationSeconds = Math.Round(state.ElapsedSeconds, 3),
            AverageMillisecondsPerProof = result.ProcessedThisRun == 0 ? 0 : Math.Round(duration.TotalMilliseconds / result.ProcessedThisRun, 3),
            ProofsPerSecond = duration.TotalSeconds <= 0 ? 0 : Math.Round(result.ProcessedThisRun / duration.TotalSeconds, 1),
        };
    }

    /// <summary>
    /// 0: everything requested succeeded; 1: failures (storage, verification, deletion: see the report; running
    /// again retries them); 3: completed, but invalid records were skipped (see the report); 130: interrupted.
    /// </summary>
    public static int ExitCodeFor(MigrationRunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Interrupted)
        {
            return ExitCodes.Interrupted;
        }

        var problems = result.State.Problems.Values;
        if (problems.Any(p => p.IsRetryable))
        {
            return ExitCodes.Failures;
        }

        return problems.Any(p => p.Status == ItemStatus.Skipped) ? ExitCodes.Skipped : ExitCodes.Success;
    }
}

internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failures = 1;
    public const int Usage = 2;
    public const int Skipped = 3;
    public const int Interrupted = 130;
}

/// <summary>The <c>--report</c> file: the summary and every item that did not fully succeed, with why.</summary>
internal sealed record MigrationReport(
    string Tool,
    DateTimeOffset FinishedAt,
    bool DryRun,
    bool Interrupted,
    int ExitCode,
    string Source,
    string Target,
    MigrationSummary Summary,
    DryRunEstimate? DryRunEstimate,
    IReadOnlyList<ItemOutcome> Problems,
    IReadOnlyList<string> Superseded)
{
    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public void Save(string path) => JsonFile.SaveAtomic(path, this, SerializerOptions);
}

