using Microsoft.Extensions.Time.Testing;
using ProofStorage.Core.Access;

namespace ProofStorage.UnitTests.Access;

public sealed class ProofAccessTrackerTests
{
    private static readonly string[] Ids = [.. Enumerable.Range(0, 8).Select(i => $"proof-{i:D2}-AAAAAAAAAAAAA")];

    [Fact]
    public void Drain_GivesEachProofsCountsAndLatestTimes_ThenStartsEmpty()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero));
        var tracker = new ProofAccessTracker(100, time);

        tracker.RecordRead(Ids[0]);
        time.Advance(TimeSpan.FromSeconds(5));
        tracker.RecordRead(Ids[0]);
        tracker.RecordDuplicate(Ids[1]);
        time.Advance(TimeSpan.FromSeconds(3));
        var drained = tracker.Drain().ToDictionary(c => c.ProofId);

        Assert.Equal(2, drained.Count);
        Assert.Equal(new ProofAccessCounts(Ids[0], 2, 0, new DateTimeOffset(2026, 11, 30, 10, 0, 5, TimeSpan.Zero), null), drained[Ids[0]]);
        Assert.Equal(new ProofAccessCounts(Ids[1], 0, 1, null, new DateTimeOffset(2026, 11, 30, 10, 0, 5, TimeSpan.Zero)), drained[Ids[1]]);
        Assert.Empty(tracker.Drain());
        Assert.Equal(0, tracker.TrackedProofs);
    }

    [Fact]
    public void RecordRead_RacingWithDrains_EveryTouchIsDrainedExactlyOnce()
    {
        const int Threads = 4;
        const int TouchesPerThread = 200_000;
        var tracker = new ProofAccessTracker(1000, TimeProvider.System);
        var drained = new List<ProofAccessCounts>();
        using var done = new CountdownEvent(Threads);

        var writers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (var i = 0; i < TouchesPerThread; i++)
            {
                var id = Ids[(i + t) % Ids.Length];
                if (i % 5 == 0)
                {
                    tracker.RecordDuplicate(id);
                }
                else
                {
                    tracker.RecordRead(id);
                }
            }

            done.Signal();
        })).ToList();
        writers.ForEach(w => w.Start());

        // Drain as fast as possible while the writers run: every drain races with touches of the same proofs.
        var drains = 0;
        while (!done.IsSet)
        {
            drained.AddRange(tracker.Drain());
            drains++;
        }

        writers.ForEach(w => w.Join());
        drained.AddRange(tracker.Drain());

        Assert.True(drains > 1, "the drains must overlap the writers");
        Assert.Equal(Threads * TouchesPerThread * 4L / 5, drained.Sum(c => c.Reads));
        Assert.Equal(Threads * TouchesPerThread / 5L, drained.Sum(c => c.Duplicates));
        Assert.Equal(0, tracker.Untracked);
    }

    [Fact]
    public void TouchingMoreProofsThanTheBound_HoldsAtMostTheBound_CountsTheRestAsUntracked_AndSignalsFull()
    {
        var tracker = new ProofAccessTracker(16, TimeProvider.System);
        var full = tracker.WhenFull;

        for (var i = 0; i < 100; i++)
        {
            tracker.RecordRead($"many-{i:D4}");
            Assert.True(tracker.TrackedProofs <= 16, $"{tracker.TrackedProofs} proofs in memory after {i + 1}");
        }

        Assert.Equal(16, tracker.TrackedProofs);
        Assert.Equal(84, tracker.Untracked);
        Assert.True(full.IsCompleted, "a full table asks for an early flush");

        // Proofs already in the table still count while it is full; after a drain there is room again.
        tracker.RecordRead("many-0000");
        var drained = tracker.Drain();
        Assert.Equal(16, drained.Count);
        Assert.Equal(17, drained.Sum(c => c.Reads));
        Assert.False(tracker.WhenFull.IsCompleted);
        tracker.RecordRead("many-0099");
        Assert.Equal(1, tracker.TrackedProofs);
        Assert.Equal(84, tracker.Untracked);
    }

    [Fact]
    public void RecordRead_AfterWarmUp_AllocatesNothing()
    {
        var tracker = new ProofAccessTracker(1000, TimeProvider.System);
        foreach (var id in Ids)
        {
            tracker.RecordRead(id);
            tracker.RecordDuplicate(id);
        }

        // The hot path: the proof is already in the table (as it is after its first read in a flush interval). The
        // fewest bytes of a few passes of 100,000 reads: a one-off of the runtime's during a pass (5,424 B in one CI
        // run, while the tiered JIT promoted the loop) cannot be in every pass; an allocation per read would be.
        var fewest = long.MaxValue;
        for (var pass = 0; pass < 4; pass++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100_000; i++)
            {
                tracker.RecordRead(Ids[i % Ids.Length]);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.Equal((4 * 100_000) + Ids.Length, tracker.Drain().Sum(c => c.Reads));
    }
}
