using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProofStorage.Core;
using ProofStorage.Core.Dedup;
using ProofStorage.Migrate.Hosting;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests;

/// <summary>A temp folder with a legacy folder, a target data folder and the target's configuration file.</summary>
public sealed class MigrationWorkspace : IDisposable
{
    public MigrationWorkspace(string? dataName = null, params string[] keyIds)
    {
        Root = TestFolders.New("migrate-tests");
        Directory.CreateDirectory(Root);
        DataPath = Path.Combine(Root, dataName ?? "data");
        KeyIds = keyIds.Length == 0 ? ["k1"] : keyIds;
        ConfigPath = WriteConfig("target.json", DataPath, KeyIds);
        Checkpoint = Path.Combine(Root, "checkpoint.json");
        Report = Path.Combine(Root, "report.json");
    }

    public string Root { get; }

    public string DataPath { get; }

    public string[] KeyIds { get; }

    public string ConfigPath { get; private set; }

    public string Checkpoint { get; }

    public string Report { get; }

    public string LegacyPath => Path.Combine(Root, "legacy");

    /// <summary>Makes the target's primary provider <paramref name="primary"/> (the filesystem until then).</summary>
    public void UsePrimary(JsonObject primary) => ConfigPath = WriteConfig("target.json", DataPath, KeyIds, primary);

    /// <summary>
    /// Writes a service configuration file (data folder, keys: first active, small record limit) whose primary provider
    /// is <paramref name="primary"/>, or the data folder's filesystem without fsync.
    /// </summary>
    public string WriteConfig(string name, string dataPath, string[] keyIds, JsonObject? primary = null, JsonObject? secondary = null)
    {
        var keys = new JsonObject();
        foreach (var id in keyIds)
        {
            keys[id] = TestKeys.KeyBase64(id);
        }

        var config = new JsonObject
        {
            ["ProofStorage"] = new JsonObject
            {
                [nameof(DataPath)] = dataPath,
                ["MaxRecordBytes"] = LegacyFolder.MaxRecordBytes,
                ["Encryption"] = new JsonObject { ["ActiveKeyId"] = keyIds[0], ["Keys"] = keys },

                // Tests crash processes, not machines: skipping fsync keeps them fast on a shared disk.
                ["Storage"] = new JsonObject { ["Primary"] = primary ?? new JsonObject { ["Type"] = "FileSystem", ["FlushToDisk"] = false } },
            },
        };
        if (secondary is not null)
        {
            var storage = config["ProofStorage"]!["Storage"]!.AsObject();
            storage["Secondary"] = secondary;
            // Breakers that open after two failures for half a second: a killed server is skipped quickly.
            storage["Failover"] = new JsonObject { ["BreakDuration"] = "00:00:00.5", ["MinimumThroughput"] = 2, ["SamplingDuration"] = "00:00:05" };
        }

        var path = Path.Combine(Root, name);
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    /// <summary>Makes the target a failover pair of <paramref name="primary"/> and <paramref name="secondary"/>.</summary>
    public void UsePair(JsonObject primary, JsonObject secondary) => ConfigPath = WriteConfig("target.json", DataPath, KeyIds, primary, secondary);

    /// <summary>
    /// Runs an operator subcommand (<c>scrub</c>, <c>keys census</c>…) in this process against this workspace's store, with
    /// its checkpoint and report; returns the exit code and what it printed.
    /// </summary>
    public async Task<(int ExitCode, string Output)> RunCommandAsync(string[] command, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var all = new List<string>(command) { "--config", ConfigPath, "--checkpoint", Checkpoint, "--report", Report, "--no-progress" };
        all.AddRange(args);
        var code = await MigrationCli.RunAsync([.. all], output, error, interactive: false, CancellationToken.None);
        return (code, output + error.ToString());
    }

    /// <summary>Runs the CLI in this process with plain output; returns the exit code and what it printed.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var all = new List<string> { "--config", ConfigPath, "--checkpoint", Checkpoint, "--report", Report, "--no-progress" };
        all.AddRange(args);
        var code = await MigrationCli.RunAsync([.. all], output, error, interactive: false, CancellationToken.None);
        return (code, output + error.ToString());
    }

    public JsonElement ReadReport() => JsonDocument.Parse(File.ReadAllBytes(Report)).RootElement.Clone();

    /// <summary>Every file under the data folder (hidden temp files included, so a partial write would show).</summary>
    /// <summary>
    /// The files under a filesystem target except its provider's lock files (<c>.locks/</c>: a fixed set of empty files
    /// any conditional write creates once, bookkeeping rather than objects): what a dry run must leave behind is none.
    /// </summary>
    public static IReadOnlyList<string> ObjectFilesUnder(string folder) =>
        [.. FilesUnder(folder).Where(f => !f.Split(Path.DirectorySeparatorChar).Contains(".locks", StringComparer.Ordinal))];

    public static IReadOnlyList<string> FilesUnder(string folder) =>
        Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Opens the target as the service would and reads its whole state: proof records and where each alias points.</summary>
    public static async Task<StoreState> ReadStoreAsync(string configPath)
    {
        using var host = MigrationHost.Build([configPath], [], [], LogLevel.Warning);
        await host.StartAsync();
        var manager = host.Services.GetRequiredService<StorageManager>();
        var proofs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var key in manager.Storage.ListKeysAsync(DedupProtocol.ProofPrefix, CancellationToken.None))
        {
            var id = key[DedupProtocol.ProofPrefix.Length..];
            var document = await manager.GetAsync(id, CancellationToken.None);
            proofs[id] = System.Text.Encoding.UTF8.GetString(document!.Json.Span);
        }

        var aliases = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var key in manager.Storage.ListKeysAsync(DedupProtocol.AliasPrefix, CancellationToken.None))
        {
            var legacyId = key[DedupProtocol.AliasPrefix.Length..];
            aliases[legacyId] = (await manager.GetAsync(legacyId, CancellationToken.None))!.ProofId;
        }

        await host.StopAsync();
        return new StoreState(proofs, aliases);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Proof id → decrypted record JSON; legacy id → proof id.</summary>
public sealed record StoreState(SortedDictionary<string, string> Proofs, SortedDictionary<string, string> Aliases);
