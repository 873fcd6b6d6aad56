using System.Text.Json;
using System.Text.Json.Serialization;
using ProofStorage.Maintenance.Walking;

namespace ProofStorage.Migrate.Migration;

/// <summary>
/// The resume checkpoint: every item whose name sorts at or before <see cref="CompletedThrough"/> has been
/// processed, with the cumulative counts of the items that went well and the full outcome of each that did not
/// (retryable ones are processed again by the next run). Items are processed in ordinal name order, batch by batch,
/// and the checkpoint advances only after a whole batch is done, so a crash redoes at most one batch; redoing is
/// harmless because every write is create-if-absent (a redone proof is deduplicated onto itself).
/// </summary>
internal sealed class MigrationState
{
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions SerializerOptions = new() { WriteIndented = false };

    public int Version { get; set; } = CurrentVersion;

    /// <summary>Identifies the source; a checkpoint of another migration is refused.</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>Identifies the target (provider type and location).</summary>
    public string Target { get; set; } = string.Empty;

    public string? CompletedThrough { get; set; }

    /// <summary>The last run went through every item.</summary>
    public bool Completed { get; set; }

    public int Runs { get; set; }

    public double ElapsedSeconds { get; set; }

    public MigrationCounts Counts { get; set; } = new();

    /// <summary>Duplicates whose proof differed from the kept one, by item name (kept in the source).</summary>
    public SortedSet<string> Superseded { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Items that did not fully succeed, by name.</summary>
    public SortedDictionary<string, ItemOutcome> Problems { get; set; } = new(StringComparer.Ordinal);

    [JsonIgnore]
    public int ItemsSeen => (int)Counts.Ok + Problems.Count;

    /// <summary>True when the item still has to be (re)processed.</summary>
    public bool IsPending(string name) =>
        CompletedThrough is null
        || string.CompareOrdinal(name, CompletedThrough) > 0
        || (Problems.TryGetValue(name, out var problem) && problem.IsRetryable);

    /// <summary>Folds one item's outcome in (replacing an earlier problem of the same item).</summary>
    public void Record(ItemOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        Problems.Remove(outcome.Name);
        if (outcome.Superseded)
        {
            Superseded.Add(outcome.Name);
        }

        if (outcome.IsProblem)
        {
            Problems[outcome.Name] = outcome;
            return;
        }

        Counts.Ok++;
        if (outcome.Status == ItemStatus.Migrated)
        {
            Counts.Migrated++;
        }
        else
        {
            Counts.Deduplicated++;
        }

        if (outcome.LegacyId is not null)
        {
            Counts.Aliases++;
        }

        if (outcome.Verification == VerifyStatus.Verified)
        {
            Counts.Verified++;
        }

        if (outcome.Deleted)
        {
            Counts.Deleted++;
        }
    }

    /// <summary>Reads a checkpoint, or <see langword="null"/> when there is none.</summary>
    public static MigrationState? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var state = JsonFile.Load<MigrationState>(path, SerializerOptions)!;
        if (state.Version != CurrentVersion)
        {
            throw new InvalidDataException($"The checkpoint {path} has version {state.Version}; this tool writes version {CurrentVersion}.");
        }

        // JSON gives default comparers; names are compared ordinally everywhere.
        state.Problems = new SortedDictionary<string, ItemOutcome>(state.Problems, StringComparer.Ordinal);
        state.Superseded = new SortedSet<string>(state.Superseded, StringComparer.Ordinal);
        return state;
    }

    /// <summary>Writes the checkpoint durably (atomic: see <see cref="JsonFile.SaveAtomic"/>).</summary>
    public void Save(string path) => JsonFile.SaveAtomic(path, this, SerializerOptions);
}

/// <summary>Cumulative counts of the items that went well (problems are kept item by item).</summary>
internal sealed class MigrationCounts
{
    public long Ok { get; set; }

    public long Migrated { get; set; }

    public long Deduplicated { get; set; }

    public long Aliases { get; set; }

    public long Verified { get; set; }

    public long Deleted { get; set; }
}
