using Microsoft.Extensions.Logging;

namespace ProofStorage.Migrate.Migration;

/// <summary>What the command line asked for (validated by <see cref="MigrationCli"/>).</summary>
internal sealed record MigrationSettings
{
    /// <summary>A legacy folder of <c>*.json</c> records (exclusive with <see cref="SourceConfig"/>).</summary>
    public string? LegacyFolder { get; init; }

    /// <summary>A JSON configuration file layered over the target's, describing the source store.</summary>
    public string? SourceConfig { get; init; }

    public IReadOnlyList<string> ConfigFiles { get; init; } = [];

    public IReadOnlyList<string> Settings { get; init; } = [];

    public bool DryRun { get; init; }

    public int BatchSize { get; init; } = 200;

    public int Parallelism { get; init; } = 16;

    public bool Verify { get; init; }

    public bool DeleteAfter { get; init; }

    public string? CheckpointPath { get; init; }

    public bool Restart { get; init; }

    public string? ReportPath { get; init; }

    public int Retries { get; init; } = 5;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public bool NoProgress { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
}
