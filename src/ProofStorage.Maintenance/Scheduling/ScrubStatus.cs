using System.Diagnostics.Metrics;
using ProofStorage.Maintenance.Walking;

namespace ProofStorage.Maintenance.Scheduling;

/// <summary>
/// What the scheduled scrub of this instance is doing and has found, for <c>/v1/stats</c>, <c>/health/ready</c> and the
/// <c>proofstorage.scrub.*</c> instruments (meter <c>ProofStorage</c>). Thread-safe.
/// </summary>
public sealed class ScrubStatus
{
    private readonly Lock _gate = new();
    private readonly Counter<long> _scanned;
    private readonly Counter<long> _repaired;
    private readonly Counter<long> _bytesRead;
    private ScrubSnapshot _snapshot = new(false, false, null, null, 0, 0, 0, 0, 0, 0, 0, []);
    private SortedDictionary<string, long> _lastCounts = new(StringComparer.Ordinal);
    private HashSet<string> _unrecoverable = new(StringComparer.Ordinal);
    private HashSet<string> _unrecoverableThisPass = new(StringComparer.Ordinal);

    public ScrubStatus(IMeterFactory? meters)
    {
        var meter = meters?.Create("ProofStorage") ?? new Meter("ProofStorage");
        _scanned = meter.CreateCounter<long>("proofstorage.scrub.objects.scanned", "{object}", "Keys the scheduled scrub examined (each with every copy).");
        _repaired = meter.CreateCounter<long>("proofstorage.scrub.objects.repaired", "{object}", "Copies the scheduled scrub rewrote from a good copy.");
        _bytesRead = meter.CreateCounter<long>("proofstorage.scrub.bytes.read", "By", "Bytes the scheduled scrub read.");
        meter.CreateObservableGauge("proofstorage.scrub.objects.unrecoverable", () => (long)Snapshot.Unrecoverable, "{object}",
            "Objects with no good copy known now (the last completed pass and the running one).");
        meter.CreateObservableGauge("proofstorage.scrub.last_completed", () => Snapshot.LastCompletedAt?.ToUnixTimeSeconds() ?? 0L, "s",
            "When the last pass finished (Unix time; 0 = none yet on this instance).");
        meter.CreateObservableGauge("proofstorage.scrub.lease.held", () => Snapshot.LeaseHeld ? 1 : 0, "{lease}", "1 while this instance holds the scrub lease.");
    }

    public ScrubSnapshot Snapshot
    {
        get
        {
            lock (_gate)
            {
                return _snapshot;
            }
        }
    }

    internal void Enabled() => Update(s => s with { Enabled = true });

    internal void Lease(bool held) => Update(s => s with { LeaseHeld = held });

    internal void PassStarted(bool deep, DateTimeOffset at)
    {
        lock (_gate)
        {
            _lastCounts = new(StringComparer.Ordinal);
            _unrecoverableThisPass = new(StringComparer.Ordinal);
            _snapshot = _snapshot with { Running = deep ? "deep" : "listing", RunningSince = at, Keys = 0, ObjectsRead = 0 };
        }
    }

    /// <summary>Publishes a batch: the instruments get what the counts grew by.</summary>
    internal void Progress(WalkState state, IEnumerable<Finding> newFindings)
    {
        lock (_gate)
        {
            _scanned.Add(state.Count("keys") - _lastCounts.GetValueOrDefault("keys"));
            _repaired.Add(state.Count("repaired") - _lastCounts.GetValueOrDefault("repaired"));
            _bytesRead.Add(state.Count("bytes.read") - _lastCounts.GetValueOrDefault("bytes.read"));
            _lastCounts = new(state.Counts, StringComparer.Ordinal);
            foreach (var finding in newFindings.Where(f => f.Kind == FindingKind.Unrecoverable))
            {
                _unrecoverableThisPass.Add(finding.Key);
            }

            _snapshot = _snapshot with
            {
                Keys = state.Count("keys"),
                ObjectsRead = state.Count("objects.read"),
                Unrecoverable = _unrecoverable.Union(_unrecoverableThisPass).Count(),
                UnrecoverableKeys = [.. _unrecoverable.Union(_unrecoverableThisPass).Order(StringComparer.Ordinal).Take(100)],
            };
        }
    }

    internal void PassCompleted(WalkState state, DateTimeOffset at)
    {
        lock (_gate)
        {
            _unrecoverable = _unrecoverableThisPass;
            _snapshot = _snapshot with
            {
                Running = null,
                RunningSince = null,
                LastCompletedAt = at,
                PassesCompleted = _snapshot.PassesCompleted + 1,
                Repaired = _snapshot.Repaired + state.Count("repaired"),
                Unrecoverable = _unrecoverable.Count,
                UnrecoverableKeys = [.. _unrecoverable.Order(StringComparer.Ordinal).Take(100)],
                LastPassKeys = state.Count("keys"),
                LastPassObjectsRead = state.Count("objects.read"),
            };
        }
    }

    internal void PassEnded() => Update(s => s with { Running = null, RunningSince = null });

    private void Update(Func<ScrubSnapshot, ScrubSnapshot> change)
    {
        lock (_gate)
        {
            _snapshot = change(_snapshot);
        }
    }
}

/// <summary>The scheduled scrub as <c>/v1/stats</c> shows it.</summary>
/// <param name="Enabled">Configured on for this instance.</param>
/// <param name="LeaseHeld">This instance is the one scrubbing.</param>
/// <param name="Running"><c>listing</c> or <c>deep</c> while a pass runs, else <see langword="null"/>.</param>
/// <param name="RunningSince">When the running pass started.</param>
/// <param name="Keys">Keys examined by the running (or last) pass so far.</param>
/// <param name="ObjectsRead">Copies read by it so far.</param>
/// <param name="PassesCompleted">Passes this instance finished.</param>
/// <param name="Repaired">Copies repaired by them.</param>
/// <param name="Unrecoverable">Objects with no good copy known now.</param>
/// <param name="LastPassKeys">Keys the last finished pass examined.</param>
/// <param name="LastPassObjectsRead">Copies it read.</param>
/// <param name="UnrecoverableKeys">The first 100 of them.</param>
public sealed record ScrubSnapshot(bool Enabled, bool LeaseHeld, string? Running, DateTimeOffset? RunningSince, long Keys, long ObjectsRead,
    long PassesCompleted, long Repaired, long Unrecoverable, long LastPassKeys, long LastPassObjectsRead, IReadOnlyList<string> UnrecoverableKeys)
{
    /// <summary>When the last pass of this instance finished.</summary>
    public DateTimeOffset? LastCompletedAt { get; init; }
}
