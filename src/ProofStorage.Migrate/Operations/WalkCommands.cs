using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Options;
using ProofStorage.Core.Storage;
using ProofStorage.Maintenance.Keys;
using ProofStorage.Maintenance.Scrub;
using ProofStorage.Maintenance.Walking;
using ProofStorage.Migrate.Console;
using ProofStorage.Migrate.Hosting;
using ProofStorage.Migrate.Migration;
using Spectre.Console;

namespace ProofStorage.Migrate.Operations;

/// <summary>
/// The subcommands that walk the configured store (<c>scrub</c>, <c>keys census</c>, <c>keys reencrypt</c>): built over the
/// same host, checkpoint, report, progress and summary code as the migration.
/// </summary>
internal static class WalkCommands
{
    /// <summary><c>scrub [--deep] [--dry-run] …</c></summary>
    public static Command Scrub(TextWriter output, TextWriter error, bool? interactive)
    {
        var common = new CommonOptions("scrub.checkpoint.json");
        var deep = new Option<bool>("--deep") { Description = "Read and verify every byte of every copy (the deep pass). Without it: the listing pass, which compares the copies' listings and reads only the keys they disagree on." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be repaired or deleted; write nothing." };
        var retention = new Option<TimeSpan>("--tombstone-retention") { Description = "Remove tombstones older than this (d.hh:mm:ss).", DefaultValueFactory = _ => TimeSpan.FromDays(30) };
        var command = new Command("scrub", "Checks every copy of every proof and alias in the configured store and repairs missing or corrupt copies from a good one (a failover pair: both members).");
        common.AddTo(command);
        command.Options.Add(deep);
        command.Options.Add(dryRun);
        command.Options.Add(retention);
        command.SetAction((parse, token) =>
        {
            var settings = common.Read(parse, output, error, interactive);
            if (settings is null)
            {
                return Task.FromResult(ExitCodes.Usage);
            }

            var scrub = new ScrubSettings(parse.GetValue(deep), parse.GetValue(dryRun), parse.GetValue(retention));
            var tool = "scrub " + (scrub.Deep ? "deep" : "listing");
            return RunAsync(settings, tool, scrub.DryRun, (services, copies, throttle) =>
            {
                var scrubber = new Scrubber(copies, services.GetRequiredService<ProofEnvelopeCodec>(),
                    services.GetRequiredService<IOptions<ProofStorageOptions>>().Value.MaxRecordBytes, scrub, throttle, TimeProvider.System);
                return scrubber.RunAsync;
            }, ScrubRows, ScrubExitCode, token);
        });
        return command;
    }

    /// <summary><c>keys census</c> and <c>keys reencrypt</c>.</summary>
    public static Command Keys(TextWriter output, TextWriter error, bool? interactive)
    {
        var keys = new Command("keys", "Encryption keys of the stored objects: how many each key id seals, and re-encryption under the active key.");

        var censusOptions = new CommonOptions("keys-census.checkpoint.json");
        var census = new Command("census", "Counts the objects each key id seals, per copy, reading only each envelope's header.");
        censusOptions.AddTo(census);
        census.SetAction((parse, token) => censusOptions.Read(parse, output, error, interactive) is { } settings
            ? RunAsync(settings, "keys census", dryRun: false, (_, copies, throttle) => new KeyCensus(copies, throttle).RunAsync, CensusRows,
                state => state.Count("deferred") > 0 ? ExitCodes.Failures : ExitCodes.Success, token)
            : Task.FromResult(ExitCodes.Usage));

        var reencryptOptions = new CommonOptions("keys-reencrypt.checkpoint.json");
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be re-encrypted; write nothing." };
        var reencrypt = new Command("reencrypt", "Re-seals every object not under the active key (ProofStorage:Encryption:ActiveKeyId) in place, on every copy, with a conditional write on the version read: a concurrent delete or write wins.");
        reencryptOptions.AddTo(reencrypt);
        reencrypt.Options.Add(dryRun);
        reencrypt.SetAction((parse, token) => reencryptOptions.Read(parse, output, error, interactive) is { } settings
            ? RunAsync(settings, "keys reencrypt", parse.GetValue(dryRun), (services, copies, throttle) => new Reencryptor(copies,
                    services.GetRequiredService<ProofEnvelopeCodec>(), services.GetRequiredService<EncryptionKeyRing>(),
                    services.GetRequiredService<IOptions<ProofStorageOptions>>().Value.MaxRecordBytes, parse.GetValue(dryRun), throttle).RunAsync,
                ReencryptRows, state => state.Count("deferred") + state.Count("unreadable") > 0 ? ExitCodes.Failures : ExitCodes.Success, token)
            : Task.FromResult(ExitCodes.Usage));

        keys.Subcommands.Add(census);
        keys.Subcommands.Add(reencrypt);
        return keys;
    }

    private delegate Task<bool> Walk(WalkState state, WalkSettings walk, Func<int, Task>? afterBatch, CancellationToken cancellationToken);

    private static async Task<int> RunAsync(WalkCommandSettings settings, string tool, bool dryRun,
        Func<IServiceProvider, IReadOnlyList<StoreCopy>, Throttle, Walk> create, Action<SummaryTable, WalkState> rows, Func<WalkState, int> exitCodeOf,
        CancellationToken cancellationToken)
    {
        var console = MigrationCli.CreateConsole(settings.Output, settings.Live);

        // As the migration: with the live bar, log lines are printed above it through its console.
        var logs = new CliLog(settings.Error, settings.Live ? console : null);
        IHost host;
        IReadOnlyList<StoreCopy> copies;
        try
        {
            host = MigrationHost.Build(settings.ConfigFiles, settings.Settings, [], settings.LogLevel, logs);
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            copies = StoreCopies.Of(host.Services.GetRequiredService<IStorageProvider>());
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidDataException or ArgumentException or IOException or InvalidOperationException
            or NotSupportedException)
        {
            await settings.Error.WriteLineAsync("Configuration error: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            foreach (var inner in ex.InnerExceptions)
            {
                await settings.Error.WriteLineAsync("Configuration error: " + inner.Message).ConfigureAwait(false);
            }

            return ExitCodes.Usage;
        }

        using (host)
        {
            var store = MigrationCli.DescribeStore(host.Services.GetRequiredService<IConfiguration>());
            var checkpoint = dryRun ? null : settings.CheckpointPath;
            WalkState state;
            try
            {
                state = LoadState(checkpoint, settings.Restart, tool, store);
            }
            catch (InvalidDataException ex)
            {
                await settings.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var before = new SortedDictionary<string, long>(state.Counts, StringComparer.Ordinal);
            IProgressView progress = settings.Live ? new LiveProgressView(console) : new PlainProgressView(settings.Output, TimeSpan.FromSeconds(2));
            var throttle = new Throttle(settings.ObjectsPerSecond, settings.BytesPerSecond);
            var completed = false;
            string? failure = null;
            var started = DateTimeOffset.UtcNow;
            await using (throttle.ConfigureAwait(false))
            {
                var walk = create(host.Services, copies, throttle);
                try
                {
                    await progress.RunAsync(null, dryRun ? tool + " (dry run)" : tool, async advance =>
                        completed = await walk(state, new WalkSettings(settings.BatchSize, settings.Parallelism), batch =>
                        {
                            if (checkpoint is not null)
                            {
                                state.Save(checkpoint);
                            }

                            advance(batch);
                            return Task.CompletedTask;
                        }, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                }
                catch (StorageUnavailableException ex)
                {
                    // A listing could not be read: the checkpoint keeps the last finished batch; run again once it answers.
                    failure = ex.Message;
                    await settings.Error.WriteLineAsync("Storage unavailable: " + ex.Message).ConfigureAwait(false);
                }
            }

            if (checkpoint is not null)
            {
                state.Save(checkpoint);
            }

            var exitCode = failure is not null ? ExitCodes.Failures : completed ? exitCodeOf(state) : ExitCodes.Interrupted;
            var thisRun = new SortedDictionary<string, long>(state.Counts.ToDictionary(c => c.Key, c => c.Value - before.GetValueOrDefault(c.Key)), StringComparer.Ordinal);
            var duration = DateTimeOffset.UtcNow - started;
            var table = new SummaryTable(dryRun ? $"{tool} (dry run: nothing written)" : tool).Row("store", store);
            rows(table, state);
            table.Row("findings", state.Findings.Count + state.FindingsDropped)
                .Row("keys this run", thisRun.GetValueOrDefault("keys"))
                .Row("duration (this run)", duration.ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture))
                .Row("keys/s (this run)", (duration.TotalSeconds > 0 ? thisRun.GetValueOrDefault("keys") / duration.TotalSeconds : 0).ToString("0.0", CultureInfo.InvariantCulture));
            table.Render(console, exitCode, exitCode switch
            {
                ExitCodes.Success => "[green]done[/]",
                ExitCodes.Interrupted => "[yellow]interrupted: run the same command again to resume[/]",
                _ => "[red]problems found (see the findings in the report)[/]",
            });
            if (settings.ReportPath is { } reportPath)
            {
                JsonFile.SaveAtomic(reportPath, new WalkReport("ProofStorage.Migrate " + tool, DateTimeOffset.UtcNow, dryRun, !completed, exitCode, store,
                    Math.Round(duration.TotalSeconds, 3), state.Counts, thisRun, state.Findings, state.FindingsDropped), ReportOptions);
                console.MarkupLine($"report: {Markup.Escape(reportPath)}");
            }

            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return exitCode;
        }
    }

    private static WalkState LoadState(string? checkpoint, bool restart, string tool, string store)
    {
        var fresh = new WalkState { Tool = tool, Store = store };
        if (checkpoint is null || restart || WalkState.Load(checkpoint) is not { } existing || existing.Completed)
        {
            // A finished walk is not resumed: the same command (or another walk of the same store) starts the next pass.
            return fresh;
        }

        if (existing.Tool != tool || existing.Store != store)
        {
            throw new InvalidDataException(
                $"The checkpoint {checkpoint} belongs to another run ({existing.Tool} of {existing.Store}). Give this one its own --checkpoint file, or --restart.");
        }

        return existing;
    }

    private static void ScrubRows(SummaryTable table, WalkState state)
    {
        foreach (var (name, label) in new[]
                 {
                     ("keys", "keys checked"), ("objects.read", "copies read"), ("bytes.read", "bytes read"), ("ok", "healthy"),
                     ("repaired", "copies repaired"), ("would.repair", "copies that would be repaired"), ("unrecoverable", "unrecoverable"),
                     ("deletes.finished", "deletes finished (tombstoned copies)"), ("deleted.during.repair", "deleted during repair (taken back)"),
                     ("changed.concurrently", "changed meanwhile (left to the next pass)"), ("deferred", "deferred (a copy unreachable)"),
                     ("aliases.dangling", "aliases naming no proof"), ("tombstones.expired", "tombstones expired"),
                 })
        {
            if (name is "keys" or "objects.read" or "unrecoverable" or "repaired" || state.Count(name) > 0)
            {
                table.Row(label, state.Count(name));
            }
        }
    }

    private static int ScrubExitCode(WalkState state) =>
        state.Count("unrecoverable") + state.Count("deferred") > 0 ? ExitCodes.Failures : ExitCodes.Success;

    private static void CensusRows(SummaryTable table, WalkState state)
    {
        table.Row("keys", state.Count("keys"));
        foreach (var (name, value) in state.Counts.Where(c => c.Key.StartsWith("sealed.", StringComparison.Ordinal)))
        {
            var parts = name.Split('.', 3);
            table.Row($"{parts[1]}: sealed under {parts[2]}", value);
        }
    }

    private static void ReencryptRows(SummaryTable table, WalkState state)
    {
        foreach (var name in new[] { "keys", "objects.read", "reencrypted", "would.reencrypt", "already.active", "changed.concurrently", "unreadable", "deferred" })
        {
            if (name is "keys" or "reencrypted" || state.Count(name) > 0)
            {
                table.Row(name.Replace('.', ' '), state.Count(name));
            }
        }
    }

    private static readonly JsonSerializerOptions ReportOptions = new(WalkState.SerializerOptions) { WriteIndented = true };

    /// <summary>The <c>--report</c> file of a walk: totals over all runs, this run's, and the findings.</summary>
    private sealed record WalkReport(string Tool, DateTimeOffset FinishedAt, bool DryRun, bool Interrupted, int ExitCode, string Store, double DurationSeconds,
        IReadOnlyDictionary<string, long> Counts, IReadOnlyDictionary<string, long> ThisRun, IReadOnlyList<Finding> Findings, long FindingsDropped);

    /// <summary>What every walk command takes.</summary>
    private sealed record WalkCommandSettings(IReadOnlyList<string> ConfigFiles, IReadOnlyList<string> Settings, string? CheckpointPath, bool Restart,
        string? ReportPath, int BatchSize, int Parallelism, double ObjectsPerSecond, long BytesPerSecond, LogLevel LogLevel, bool Live, TextWriter Output,
        TextWriter Error);

    /// <summary>The options every walk command has, made once per command.</summary>
    private sealed class CommonOptions(string defaultCheckpoint)
    {
        private readonly Option<FileInfo[]> _config = new("--config") { Description = "JSON configuration of the store, like the service's appsettings.json (repeatable; later files win). appsettings.json in the working folder and ProofStorage__* environment variables are read too." };
        private readonly Option<string[]> _set = new("--set") { Description = "A configuration override Key=Value (repeatable)." };
        private readonly Option<FileInfo?> _checkpoint = new("--checkpoint") { Description = $"Resume checkpoint file (default: {defaultCheckpoint} in the working folder)." };
        private readonly Option<bool> _noCheckpoint = new("--no-checkpoint") { Description = "Neither read nor write a checkpoint." };
        private readonly Option<bool> _restart = new("--restart") { Description = "Ignore an existing checkpoint and start from the first key." };
        private readonly Option<FileInfo?> _report = new("--report") { Description = "Write a JSON report: totals, this run's counts and every finding." };
        private readonly Option<int> _batchSize = new("--batch-size") { Description = "Keys per batch; the checkpoint advances after each batch.", DefaultValueFactory = _ => 200 };
        private readonly Option<int> _parallelism = new("--parallelism") { Description = "Keys worked on at once.", DefaultValueFactory = _ => 8 };
        private readonly Option<double> _objectsPerSecond = new("--objects-per-second") { Description = "At most this many keys per second (0: no limit).", DefaultValueFactory = _ => 0 };
        private readonly Option<long> _bytesPerSecond = new("--bytes-per-second") { Description = "At most this many bytes read per second (0: no limit).", DefaultValueFactory = _ => 0 };
        private readonly Option<bool> _noProgress = new("--no-progress") { Description = "Plain progress lines instead of the live bar (automatic when output is redirected or CI is set)." };
        private readonly Option<bool> _verbose = new("--verbose") { Description = "Log at Information level (to stderr)." };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _config, _set, _checkpoint, _noCheckpoint, _restart, _report, _batchSize, _parallelism, _objectsPerSecond, _bytesPerSecond, _noProgress, _verbose })
            {
                command.Options.Add(option);
            }
        }

        public WalkCommandSettings? Read(ParseResult parse, TextWriter output, TextWriter error, bool? interactive)
        {
            if (parse.GetValue(_batchSize) is < 1 or > 10_000 || parse.GetValue(_parallelism) is < 1 or > 256 || parse.GetValue(_objectsPerSecond) < 0
                || parse.GetValue(_bytesPerSecond) < 0)
            {
                error.WriteLine("--batch-size must be 1-10000, --parallelism 1-256, --objects-per-second and --bytes-per-second not negative.");
                return null;
            }

            return new WalkCommandSettings(
                [.. (parse.GetValue(_config) ?? []).Select(f => f.FullName)],
                parse.GetValue(_set) ?? [],
                parse.GetValue(_noCheckpoint) ? null : parse.GetValue(_checkpoint)?.FullName ?? Path.GetFullPath(defaultCheckpoint),
                parse.GetValue(_restart),
                parse.GetValue(_report)?.FullName,
                parse.GetValue(_batchSize),
                parse.GetValue(_parallelism),
                parse.GetValue(_objectsPerSecond),
                parse.GetValue(_bytesPerSecond),
                parse.GetValue(_verbose) ? LogLevel.Information : LogLevel.Warning,
                MigrationCli.IsLive(interactive, parse.GetValue(_noProgress)),
                output,
                error);
        }
    }
}
