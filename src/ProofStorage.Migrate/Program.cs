using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core;
using ProofStorage.Core.Options;
using ProofStorage.Core.Storage;
using ProofStorage.Migrate.Console;
using ProofStorage.Migrate.Hosting;
using ProofStorage.Migrate.Migration;
using ProofStorage.Migrate.Operations;
using ProofStorage.Migrate.Sources;
using Spectre.Console;

namespace ProofStorage.Migrate;

/// <summary>
/// <c>proofstorage-migrate --source ./old-proofs [--verify] [--delete-after --yes-i-understand] …</c>: moves legacy
/// records (or another store's proofs) into the store configured like the service. The same tool walks that store for
/// operators: <c>scrub [--deep]</c>, <c>keys census</c>, <c>keys reencrypt</c> (<see cref="WalkCommands"/>).
/// </summary>
internal static class MigrationCli
{
    private static readonly string[] LocationKeys = ["ServiceUrl", "Endpoint", "AccountId", "Region", "Bucket", "KeyPrefix", "Prefix"];

    public static Task<int> Main(string[] args) => RunAsync(args, System.Console.Out, System.Console.Error, interactive: null, CancellationToken.None);

    /// <summary>Parses and runs; <paramref name="interactive"/> null means "detect" (a terminal, not CI).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool? interactive, CancellationToken cancellationToken)
    {
        var legacy = new Option<DirectoryInfo?>("--source", "--legacy") { Description = "Legacy folder of *.json records ({id, imageHash, createdAt, proof, metadata?})." };
        var sourceConfig = new Option<FileInfo?>("--source-config") { Description = "JSON configuration of a source store (its ProofStorage:Storage:Primary, and ProofStorage:Encryption if its keys differ), layered over the target's configuration." };
        var config = new Option<FileInfo[]>("--config") { Description = "JSON configuration of the target, like the service's appsettings.json (repeatable; later files win). appsettings.json in the working folder and ProofStorage__* environment variables are read too.", AllowMultipleArgumentsPerToken = false };
        var set = new Option<string[]>("--set") { Description = "A configuration override Key=Value, e.g. ProofStorage:Storage:Primary:Type=S3 (repeatable; applies to the target)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Read and validate everything and report what would happen, with an estimate; write nothing." };
        var batchSize = new Option<int>("--batch-size") { Description = "Items per batch; the checkpoint advances after each batch.", DefaultValueFactory = _ => 200 };
        var parallelism = new Option<int>("--parallelism") { Description = "Concurrent items within a batch.", DefaultValueFactory = _ => 16 };
        var verify = new Option<bool>("--verify") { Description = "Read every migrated proof back through the normal read path (by its legacy id) and compare the proof bytes with the source." };
        var deleteAfter = new Option<bool>("--delete-after") { Description = "Delete from the source every item that verified (implies --verify). Irreversible: requires --yes-i-understand." };
        var confirm = new Option<bool>("--yes-i-understand") { Description = "Confirms --delete-after." };
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "Resume checkpoint file (default: migration.checkpoint.json in the working folder)." };
        var noCheckpoint = new Option<bool>("--no-checkpoint") { Description = "Neither read nor write a checkpoint." };
        var restart = new Option<bool>("--restart") { Description = "Ignore an existing checkpoint and start over (writes are idempotent, so nothing is duplicated)." };
        var report = new Option<FileInfo?>("--report") { Description = "Write a JSON report with the summary and every item that did not fully succeed, with why." };
        var retries = new Option<int>("--retries") { Description = "Retries of a transient storage error (exponential backoff with jitter).", DefaultValueFactory = _ => 5 };
        var retryDelay = new Option<int>("--retry-delay-ms") { Description = "First retry delay in milliseconds.", DefaultValueFactory = _ => 200 };
        var noProgress = new Option<bool>("--no-progress") { Description = "Plain progress lines instead of the live bar (automatic when output is redirected or CI is set)." };
        var verbose = new Option<bool>("--verbose") { Description = "Log at Information level (to stderr)." };

        var root = new RootCommand("Migrates proofs from a legacy folder or another store into the configured ProofStorage store.")
        {
            legacy, sourceConfig, config, set, dryRun, batchSize, parallelism, verify, deleteAfter, confirm, checkpoint, noCheckpoint, restart, report,
            retries, retryDelay, noProgress, verbose,
        };
        root.Subcommands.Add(WalkCommands.Scrub(output, error, interactive));
        root.Subcommands.Add(WalkCommands.Keys(output, error, interactive));
        root.Validators.Add(result =>
        {
            if (result.Children.OfType<System.CommandLine.Parsing.CommandResult>().Any())
            {
                // A subcommand runs: the migration's own rules do not apply.
                return;
            }

            if ((result.GetValue(legacy) is null) == (result.GetValue(sourceConfig) is null))
            {
                result.AddError("Give exactly one source: --source <legacy folder> or --source-config <file>.");
            }

            if (result.GetValue(deleteAfter) && !result.GetValue(confirm))
            {
                result.AddError("--delete-after deletes source items irreversibly (only those that verified); add --yes-i-understand to confirm.");
            }
        });

        root.SetAction((parse, token) =>
        {
            if (parse.GetValue(batchSize) < 1 || parse.GetValue(parallelism) is < 1 or > 256 || parse.GetValue(retries) < 0 || parse.GetValue(retryDelay) < 0)
            {
                error.WriteLine("--batch-size must be at least 1, --parallelism 1-256, --retries and --retry-delay-ms not negative.");
                return Task.FromResult(ExitCodes.Usage);
            }

            var settings = new MigrationSettings
            {
                LegacyFolder = parse.GetValue(legacy)?.FullName,
                SourceConfig = parse.GetValue(sourceConfig)?.FullName,
                ConfigFiles = [.. (parse.GetValue(config) ?? []).Select(f => f.FullName)],
                Settings = parse.GetValue(set) ?? [],
                DryRun = parse.GetValue(dryRun),
                BatchSize = parse.GetValue(batchSize),
                Parallelism = parse.GetValue(parallelism),
                Verify = parse.GetValue(verify) || parse.GetValue(deleteAfter),
                DeleteAfter = parse.GetValue(deleteAfter),
                CheckpointPath = parse.GetValue(noCheckpoint) ? null : parse.GetValue(checkpoint)?.FullName ?? Path.GetFullPath("migration.checkpoint.json"),
                Restart = parse.GetValue(restart),
                ReportPath = parse.GetValue(report)?.FullName,
                Retries = parse.GetValue(retries),
                RetryDelay = TimeSpan.FromMilliseconds(parse.GetValue(retryDelay)),
                NoProgress = parse.GetValue(noProgress),
                LogLevel = parse.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning,
            };
            return ExecuteAsync(settings, output, error, IsLive(interactive, settings.NoProgress), token);
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine(parseError.Message);
            }

            error.WriteLine("Run with --help for the options.");
            return Task.FromResult(ExitCodes.Usage);
        }

        return parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    /// <summary>The live bar only on an interactive terminal (<paramref name="interactive"/> null: detect; never in CI or with <c>--no-progress</c>).</summary>
    internal static bool IsLive(bool? interactive, bool noProgress) =>
        !noProgress && (interactive ?? (!System.Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))));

    /// <summary>The console every command writes its progress and summary to.</summary>
    internal static IAnsiConsole CreateConsole(TextWriter output, bool live) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = live ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = live ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = live ? InteractionSupport.Yes : InteractionSupport.No,
    });

    private static async Task<int> ExecuteAsync(MigrationSettings settings, TextWriter output, TextWriter error, bool live, CancellationToken cancellationToken)
    {
        var console = CreateConsole(output, live);

        // With the live bar, log lines go through its console (printed above the bar), never behind its back.
        var logs = new CliLog(error, live ? console : null);

        IHost target;
        IMigrationSource source;
        try
        {
            target = MigrationHost.Build(settings.ConfigFiles, settings.Settings, [], settings.LogLevel, logs);
            await target.StartAsync(cancellationToken).ConfigureAwait(false);
            source = await OpenSourceAsync(settings, logs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidDataException or ArgumentException or IOException or InvalidOperationException)
        {
            await error.WriteLineAsync("Configuration error: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            // Start-up validation found several bad sections: name each.
            foreach (var inner in ex.InnerExceptions)
            {
                await error.WriteLineAsync("Configuration error: " + inner.Message).ConfigureAwait(false);
            }

            return ExitCodes.Usage;
        }

        await using (source.ConfigureAwait(false))
        using (target)
        {
            var services = target.Services;
            var targetDescription = "store " + Describe(services.GetRequiredService<IConfiguration>());
            if (string.Equals(targetDescription, source.Description, StringComparison.Ordinal))
            {
                await error.WriteLineAsync($"The source and the target are the same store ({targetDescription}); nothing to migrate.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            MigrationState state;
            try
            {
                state = LoadState(settings, source.Description, targetDescription, services.GetRequiredService<ILoggerFactory>().CreateLogger("ProofStorage.Migrate"));
            }
            catch (InvalidDataException ex)
            {
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            IProgressView progress = live ? new LiveProgressView(console) : new PlainProgressView(output, TimeSpan.FromSeconds(2));
            var runner = new MigrationRunner(settings, source, services.GetRequiredService<StorageManager>(), targetDescription, progress,
                services.GetRequiredService<ILoggerFactory>().CreateLogger("ProofStorage.Migrate"));

            var started = Stopwatch.GetTimestamp();
            var result = await runner.RunAsync(state, cancellationToken).ConfigureAwait(false);
            var duration = Stopwatch.GetElapsedTime(started);

            var summary = MigrationSummary.From(result, settings.Verify, duration);
            var exitCode = MigrationSummary.ExitCodeFor(result);
            DryRunEstimate? estimate = settings.DryRun
                ? DryRunEstimator.Complete(new DryRunEstimate(summary.Migrated, summary.Deduplicated, summary.AliasesRegistered, result.EstimatedStoredBytes,
                    result.SourceBytesRead), result.Timing, result.TimingProblem)
                : null;
            SummaryRenderer.Render(console, result, summary, estimate, exitCode);
            if (settings.ReportPath is { } reportPath)
            {
                new MigrationReport("ProofStorage.Migrate", DateTimeOffset.UtcNow, settings.DryRun, result.Interrupted, exitCode, result.Source, result.Target,
                    summary, estimate, [.. state.Problems.Values], [.. state.Superseded]).Save(reportPath);
                console.MarkupLine($"report: {Markup.Escape(reportPath)}");
            }

            await target.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return exitCode;
        }
    }

    private static async Task<IMigrationSource> OpenSourceAsync(MigrationSettings settings, ILoggerProvider logs, CancellationToken cancellationToken)
    {
        if (settings.LegacyFolder is { } folder)
        {
            return new LegacyFolderSource(folder, maxFileBytes: 256 * 1024 * 1024);
        }

        var host = MigrationHost.Build(settings.ConfigFiles, settings.Settings, [settings.SourceConfig!], settings.LogLevel, logs);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new ProviderSource(host, "store " + Describe(host.Services.GetRequiredService<IConfiguration>()));
    }

    private static MigrationState LoadState(MigrationSettings settings, string source, string target, ILogger logger)
    {
        var fresh = new MigrationState { Source = source, Target = target };
        if (settings.DryRun || settings.CheckpointPath is null || settings.Restart)
        {
            return fresh;
        }

        var existing = MigrationState.Load(settings.CheckpointPath);
        if (existing is null)
        {
            return fresh;
        }

        if (existing.Source != source || existing.Target != target)
        {
            throw new InvalidDataException(
                $"The checkpoint {settings.CheckpointPath} belongs to another migration ({existing.Source} → {existing.Target}). " +
                "Give this migration its own --checkpoint file, or --restart to start over.");
        }

        Log.Resuming(logger, settings.CheckpointPath, existing.ItemsSeen, existing.CompletedThrough);
        return existing;
    }

    /// <summary>Names the whole store: its primary, and its secondary when a pair is configured.</summary>
    internal static string DescribeStore(IConfiguration configuration) =>
        StorageProviderBuilder.IsConfigured(configuration, StorageProviderBuilder.SecondarySlot)
            ? $"{Describe(configuration)} + {Describe(configuration, StorageProviderBuilder.SecondarySlot)}"
            : Describe(configuration);

    /// <summary>Names a store by its provider settings (never credentials): "FileSystem /data/proofs", "S3 http://… bucket".</summary>
    internal static string Describe(IConfiguration configuration, string slot = StorageProviderBuilder.PrimarySlot)
    {
        var section = configuration.GetSection(StorageProviderBuilder.SectionPath(slot));
        var type = section["Type"] ?? StorageProviderBuilder.DefaultType;
        if (string.Equals(type, "FileSystem", StringComparison.OrdinalIgnoreCase))
        {
            var dataPath = configuration[ProofStorageOptions.SectionName + ":DataPath"] ?? "data";
            var path = string.IsNullOrWhiteSpace(section["Path"]) ? Path.Combine(Path.GetFullPath(dataPath), "proofs") : Path.GetFullPath(section["Path"]!);
            return $"FileSystem {path}";
        }

        var location = string.Join(' ', LocationKeys
            .Select(key => section[key]).Where(value => !string.IsNullOrWhiteSpace(value)));
        return $"{type} {location}".Trim();
    }
}
