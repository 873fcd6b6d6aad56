using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProofStorage.Maintenance.Walking;

/// <summary>
/// Where a walk of the store is and what it found so far: the resume checkpoint of the scrub, the census and
/// re-encryption. Keys are walked folder by folder (<see cref="Phase"/>), each in key order; <see cref="LastKey"/> is the
/// last key of the last whole batch, so a run killed part-way lists again from there and redoes at most one batch.
/// </summary>
internal sealed class WalkState
{
    public const int CurrentVersion = 1;

    /// <summary>At most this many findings are kept item by item; the rest are counted.</summary>
    public const int MaxFindings = 10_000;

    internal static readonly JsonSerializerOptions SerializerOptions = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public int Version { get; set; } = CurrentVersion;

    /// <summary>The tool and its mode (<c>scrub deep</c>, <c>keys reencrypt</c>): a checkpoint of another is refused.</summary>
    public string Tool { get; set; } = string.Empty;

    /// <summary>The store walked (its providers' settings, never credentials).</summary>
    public string Store { get; set; } = string.Empty;

    /// <summary>Index of the folder being walked.</summary>
    public int Phase { get; set; }

    /// <summary>The last key of the last finished batch in the current folder, or <see langword="null"/> at its start.</summary>
    public string? LastKey { get; set; }

    /// <summary>The last run walked every folder to the end.</summary>
    public bool Completed { get; set; }

    public int Runs { get; set; }

    public double ElapsedSeconds { get; set; }

    /// <summary>What was counted, by name (<c>keys</c>, <c>objects.read</c>, <c>repaired</c>…), over all runs.</summary>
    public SortedDictionary<string, long> Counts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Keys that need an operator's eye, with why (the first <see cref="MaxFindings"/>).</summary>
    public List<Finding> Findings { get; set; } = [];

    /// <summary>Findings beyond <see cref="MaxFindings"/>, counted only.</summary>
    public long FindingsDropped { get; set; }

    public long Count(string name) => Counts.TryGetValue(name, out var value) ? value : 0;

    /// <summary>Adds one batch's tally.</summary>
    public void Add(WalkTally tally)
    {
        ArgumentNullException.ThrowIfNull(tally);
        foreach (var (name, value) in tally.Counts)
        {
            Counts[name] = Count(name) + value;
        }

        foreach (var finding in tally.Findings.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (Findings.Count < MaxFindings)
            {
                Findings.Add(finding);
            }
            else
            {
                FindingsDropped++;
            }
        }
    }

    public void Save(string path) => JsonFile.SaveAtomic(path, this, SerializerOptions);

    public static WalkState? Load(string path)
    {
        var state = JsonFile.Load<WalkState>(path, SerializerOptions);
        return state is null || state.Version == CurrentVersion
            ? state
            : throw new InvalidDataException($"The checkpoint {path} has version {state.Version}; this tool writes version {CurrentVersion}.");
    }
}

/// <summary>What one key needs an operator to know.</summary>
/// <param name="Key">The object key.</param>
/// <param name="Kind">What was found (<see cref="FindingKind"/>).</param>
/// <param name="Detail">Why, for people: which copy, which check failed.</param>
internal sealed record Finding(string Key, FindingKind Kind, string Detail);

internal enum FindingKind
{
    /// <summary>No good copy is left (both corrupt, or the only copy corrupt): nothing was overwritten.</summary>
    Unrecoverable,

    /// <summary>A missing or bad copy was rewritten from the good one.</summary>
    Repaired,

    /// <summary>Dry run: would have been repaired.</summary>
    WouldRepair,

    /// <summary>The copies left of a deleted proof (a tombstone names them) were deleted.</summary>
    DeleteFinished,

    /// <summary>A repair found the proof deleted meanwhile and took its copy back.</summary>
    DeletedDuringRepair,

    /// <summary>A copy changed between the read and the conditional write: left to the next pass.</summary>
    ChangedConcurrently,

    /// <summary>A copy could not be reached: the key is checked again by the next pass.</summary>
    Deferred,

    /// <summary>An alias whose proof no copy holds (a deleted proof leaves its aliases; reads answer 404).</summary>
    DanglingAlias,

    /// <summary>Re-encryption skipped a copy it could not open (run the scrub).</summary>
    Unreadable,

    /// <summary>A C2PA index object whose proof no copy holds (a store in progress or interrupted; lookups skip it).</summary>
    DanglingIndex,
}

/// <summary>The counts and findings of one batch, added to from parallel keys.</summary>
internal sealed class WalkTally
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Finding> _findings = new();

    public IEnumerable<KeyValuePair<string, long>> Counts => _counts;

    public IEnumerable<Finding> Findings => _findings;

    public void Count(string name, long value = 1) => _counts.AddOrUpdate(name, value, (_, current) => current + value);

    public void Report(string key, FindingKind kind, string detail) => _findings.Enqueue(new Finding(key, kind, detail));
}
