using System.Diagnostics;
using ProofStorage.Core.Storage;

namespace ProofStorage.Maintenance.Walking;

/// <summary>How a walk goes through the store.</summary>
/// <param name="BatchSize">Keys per batch; the checkpoint advances after each whole batch.</param>
/// <param name="Parallelism">Keys worked on at once within a batch.</param>
internal sealed record WalkSettings(int BatchSize = 200, int Parallelism = 8);

/// <summary>
/// Walks folders of every copy of the store in key order, joining the copies' listings (<see cref="SortedMerge"/>), batch by
/// batch: each key of a batch goes to the tool's action (in parallel, bounded, after its turn at the throttle), then the
/// batch's tally goes into the state and <c>afterBatch</c> runs (the CLI saves its checkpoint there). Memory holds one
/// batch, whatever the number of keys.
/// </summary>
internal static class StoreWalk
{
    public delegate Task KeyAction(ListedKey key, WalkTally tally, CancellationToken cancellationToken);

    /// <summary>Walks from where <paramref name="state"/> stands; returns <see langword="false"/> when cancelled part-way.</summary>
    public static async Task<bool> RunAsync(IReadOnlyList<StoreCopy> copies, IReadOnlyList<string> folders, WalkState state, WalkSettings settings,
        Throttle throttle, KeyAction action, Func<int, Task>? afterBatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(folders);
        state.Runs++;
        state.Completed = false;
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (; state.Phase < folders.Count; state.Phase++, state.LastKey = null)
            {
                var folder = folders[state.Phase];
                var listings = copies.Select(c => c.Objects.ListObjectsAsync(folder, state.LastKey, cancellationToken)).ToList();
                var batch = new List<ListedKey>(settings.BatchSize);
                await foreach (var key in SortedMerge.MergeAsync(listings, cancellationToken).ConfigureAwait(false))
                {
                    batch.Add(key);
                    if (batch.Count == settings.BatchSize)
                    {
                        await RunBatchAsync(batch, state, settings, throttle, action, afterBatch, cancellationToken).ConfigureAwait(false);
                        batch.Clear();
                    }
                }

                if (batch.Count > 0)
                {
                    await RunBatchAsync(batch, state, settings, throttle, action, afterBatch, cancellationToken).ConfigureAwait(false);
                }
            }

            state.Completed = true;
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            state.ElapsedSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
    }

    private static async Task RunBatchAsync(List<ListedKey> batch, WalkState state, WalkSettings settings, Throttle throttle, KeyAction action,
        Func<int, Task>? afterBatch, CancellationToken cancellationToken)
    {
        var tally = new WalkTally();
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Parallelism), CancellationToken = cancellationToken },
            async (key, token) =>
            {
                await throttle.ObjectAsync(token).ConfigureAwait(false);
                tally.Count("keys");
                await action(key, tally, token).ConfigureAwait(false);
            }).ConfigureAwait(false);

        // CHECKPOINT: only whole batches count as done.
        state.Add(tally);
        state.LastKey = batch[^1].Key;
        if (afterBatch is not null)
        {
            await afterBatch(batch.Count).ConfigureAwait(false);
        }
    }

    /// <summary>Counts an object read by a tool (and waits for its bytes' turn first).</summary>
    public static async Task<T> ReadAsync<T>(Throttle throttle, WalkTally tally, ObjectEntry entry, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await throttle.BytesAsync(entry.Size, cancellationToken).ConfigureAwait(false);
        tally.Count("objects.read");
        tally.Count("bytes.read", entry.Size);
        return await read().ConfigureAwait(false);
    }
}
