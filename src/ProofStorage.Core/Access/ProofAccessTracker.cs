using System.Collections.Concurrent;

namespace ProofStorage.Core.Access;

/// <summary>
/// Counts reads and duplicate stores per proof in memory, off the request path's critical costs: recording a touch of
/// a proof already in the table is a lock-free dictionary lookup by the id string, an interlocked add and a timestamp,
/// with no allocation. <see cref="Drain"/> hands the counts gathered so far to the flush and starts a new table.
/// Thread-safe.
/// </summary>
/// <remarks>
/// <para>Memory is bounded: a table holds at most <c>maxTrackedProofs</c> proofs. When a touch finds it full, the touch
/// is counted in <see cref="Untracked"/> instead and <see cref="WhenFull"/> completes, so the flush drains the table
/// early. Memory is then at most two tables: the one being written and the one filling.</para>
/// <para>Exactness without locks: <see cref="Drain"/> swaps in a new table, then retires each counter of the old one
/// before taking its counts with an atomic exchange. A touch that raced with the drain finds its counter retired (or
/// its table no longer current) after adding, takes back whatever the drain did not see with the same exchange and
/// adds it to the current table. Every touch is taken exactly once, by the drain or by the touch itself.</para>
/// </remarks>
public sealed class ProofAccessTracker
{
    private readonly TimeProvider _time;
    private readonly Lock _drainLock = new();
    private Table _current = new();
    private TaskCompletionSource _full = NewSignal();
    private long _untrackedReads;
    private long _untrackedDuplicates;

    /// <param name="maxTrackedProofs">Most proofs one table holds.</param>
    /// <param name="time">The clock of the "last read" and "last duplicate" times.</param>
    public ProofAccessTracker(int maxTrackedProofs, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrackedProofs, 1);
        ArgumentNullException.ThrowIfNull(time);
        MaxTrackedProofs = maxTrackedProofs;
        _time = time;
    }

    /// <summary>Most proofs one table holds.</summary>
    public int MaxTrackedProofs { get; }

    /// <summary>Proofs in the current table (touched since the last drain).</summary>
    public int TrackedProofs => Math.Min(Volatile.Read(ref _current).Count, MaxTrackedProofs);

    /// <summary>Touches not attributed to a proof because the table was full when they came.</summary>
    public long Untracked => Interlocked.Read(ref _untrackedReads) + Interlocked.Read(ref _untrackedDuplicates);

    /// <summary>Completes when the current table filled up (a touch found no room); a drain resets it.</summary>
    public Task WhenFull => Volatile.Read(ref _full).Task;

    /// <summary>Counts one read of the proof (the id as the store's document holds it).</summary>
    public void RecordRead(string proofId) => Record(proofId, reads: 1, duplicates: 0);

    /// <summary>Counts one store of the proof's image that was answered with the existing proof.</summary>
    public void RecordDuplicate(string proofId) => Record(proofId, reads: 0, duplicates: 1);

    /// <summary>
    /// Takes every count gathered since the last drain (one entry per proof touched) and starts a new table. Counts
    /// of touches that race with the drain land in the new table, never in both or neither.
    /// </summary>
    public IReadOnlyList<ProofAccessCounts> Drain()
    {
        lock (_drainLock)
        {
            var table = Interlocked.Exchange(ref _current, new Table());
            Interlocked.Exchange(ref _full, NewSignal());
            var now = _time.GetUtcNow();
            var nowTimestamp = _time.GetTimestamp();
            var drained = new List<ProofAccessCounts>(Math.Min(table.Count, MaxTrackedProofs));
            foreach (var (proofId, counter) in table.Counters)
            {
                var taken = counter.Retire();
                if (taken.Reads != 0 || taken.Duplicates != 0)
                {
                    drained.Add(new ProofAccessCounts(proofId, taken.Reads, taken.Duplicates, ToTime(taken.LastRead, now, nowTimestamp),
                        ToTime(taken.LastDuplicate, now, nowTimestamp)));
                }
            }

            return drained;
        }
    }

    private void Record(string proofId, long reads, long duplicates)
    {
        var timestamp = _time.GetTimestamp();
        var table = Volatile.Read(ref _current);
        if (table.Counters.TryGetValue(proofId, out var counter))
        {
            counter.Add(reads, duplicates, timestamp);
            if (counter.IsRetired)
            {
                Reclaim(proofId, counter);
            }

            return;
        }

        Add(proofId, new Taken(reads, duplicates, reads != 0 ? timestamp : 0, duplicates != 0 ? timestamp : 0));
    }

    /// <summary>The slow path: the proof is not in the current table (its first touch since the drain, or a reclaim).</summary>
    private void Add(string proofId, Taken counts)
    {
        var table = Volatile.Read(ref _current);
        if (!table.Counters.TryGetValue(proofId, out var counter))
        {
            if (Interlocked.Increment(ref table.Count) > MaxTrackedProofs)
            {
                Interlocked.Decrement(ref table.Count);
                Interlocked.Add(ref _untrackedReads, counts.Reads);
                Interlocked.Add(ref _untrackedDuplicates, counts.Duplicates);
                Volatile.Read(ref _full).TrySetResult();
                return;
            }

            var fresh = new AccessCounter();
            counter = table.Counters.GetOrAdd(proofId, fresh);
            if (!ReferenceEquals(counter, fresh))
            {
                Interlocked.Decrement(ref table.Count);
            }
        }

        counter.Add(counts);

        // The table may have been drained since it was read: whatever the drain did not take is taken back here.
        if (counter.IsRetired || !ReferenceEquals(Volatile.Read(ref _current), table))
        {
            Reclaim(proofId, counter);
        }
    }

    private void Reclaim(string proofId, AccessCounter counter)
    {
        var taken = counter.Retire();
        if (taken.Reads != 0 || taken.Duplicates != 0)
        {
            Add(proofId, taken);
        }
    }

    private DateTimeOffset? ToTime(long timestamp, DateTimeOffset now, long nowTimestamp) =>
        timestamp == 0 ? null : now - _time.GetElapsedTime(timestamp, nowTimestamp);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Table
    {
        public readonly ConcurrentDictionary<string, AccessCounter> Counters = new();
        public int Count;
    }

    /// <summary>Counts taken from a counter: totals and the latest timestamps (<see cref="TimeProvider.GetTimestamp"/>, 0 = none).</summary>
    private readonly record struct Taken(long Reads, long Duplicates, long LastRead, long LastDuplicate);

    private sealed class AccessCounter
    {
        private long _reads;
        private long _duplicates;
        private long _lastRead;
        private long _lastDuplicate;
        private int _retired;

        public bool IsRetired => Volatile.Read(ref _retired) != 0;

        /// <summary>The hot path: the time is written before the count, so whoever takes the count sees a time at least as late.</summary>
        public void Add(long reads, long duplicates, long timestamp)
        {
            if (reads != 0)
            {
                Volatile.Write(ref _lastRead, timestamp);
                Interlocked.Add(ref _reads, reads);
            }

            if (duplicates != 0)
            {
                Volatile.Write(ref _lastDuplicate, timestamp);
                Interlocked.Add(ref _duplicates, duplicates);
            }
        }

        public void Add(Taken counts)
        {
            if (counts.Reads != 0)
            {
                Later(ref _lastRead, counts.LastRead);
                Interlocked.Add(ref _reads, counts.Reads);
            }

            if (counts.Duplicates != 0)
            {
                Later(ref _lastDuplicate, counts.LastDuplicate);
                Interlocked.Add(ref _duplicates, counts.Duplicates);
            }
        }

        /// <summary>Marks the counter retired (a full fence), then takes what it holds; later adders see the mark and take their own.</summary>
        public Taken Retire()
        {
            Interlocked.Exchange(ref _retired, 1);
            var reads = Interlocked.Exchange(ref _reads, 0);
            var duplicates = Interlocked.Exchange(ref _duplicates, 0);
            return new Taken(reads, duplicates, reads != 0 ? Volatile.Read(ref _lastRead) : 0, duplicates != 0 ? Volatile.Read(ref _lastDuplicate) : 0);
        }

        private static void Later(ref long field, long timestamp)
        {
            var seen = Volatile.Read(ref field);
            while (timestamp > seen)
            {
                var found = Interlocked.CompareExchange(ref field, timestamp, seen);
                if (found == seen)
                {
                    return;
                }

                seen = found;
            }
        }
    }
}
