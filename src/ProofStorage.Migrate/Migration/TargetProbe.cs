using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ProofStorage.Core;
using ProofStorage.Core.Storage;

namespace ProofStorage.Migrate.Migration;

/// <summary>
/// Times the target for the dry run's estimate with a short sample of the real run's own traffic: probe items that each
/// send the run's mix of requests (its creates, then its reads back, in the proportions the dry run counted) at the
/// run's parallelism, on objects of the proofs' mean envelope size under <c>migrate-probe/{run}/</c>; then deletes them
/// (timed too, for <c>--delete-after</c>). The only objects a dry run writes; none outlives it.
/// </summary>
/// <remarks>
/// <para>Why write at all: a write costs the target more than a read (S3 and R2 bill and throttle it separately, a
/// filesystem fsyncs it), and no read-only probe says by how much. A few small objects written and deleted at once
/// are a price the estimate is worth; docs/migration.md says so.</para>
/// <para>Why the mix rather than each kind alone: a real run overlaps one worker's fsync with another's read, so
/// timing writes and reads apart and adding them overestimates a filesystem target about twofold. A first round of
/// one item per worker is not timed: it warms the code paths and creates the probe's folders.</para>
/// </remarks>
internal static class TargetProbe
{
    public const string Prefix = "migrate-probe/";

    /// <summary>Probe items for a run: enough to keep every worker busy several times over, few enough to stay a short sample.</summary>
    public static int ItemsFor(int parallelism) => Math.Clamp(8 * parallelism, 64, 512);

    /// <param name="storage">The target's provider.</param>
    /// <param name="items">Probe items (timed).</param>
    /// <param name="writesPerItem">Creates per item in the real run (the dry run's count ÷ items).</param>
    /// <param name="readsPerItem">Reads per item in the real run.</param>
    /// <param name="objectBytes">Size of each probe object.</param>
    /// <param name="parallelism">The run's parallelism.</param>
    /// <param name="cancellationToken">Cancels the probe (its objects are still deleted).</param>
    public static async Task<ProbeRates> MeasureAsync(IStorageProvider storage, int items, double writesPerItem, double readsPerItem, int objectBytes,
        int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var run = Prefix + Guid.NewGuid().ToString("N") + "/";
        var body = RandomNumberGenerator.GetBytes(Math.Max(1, objectBytes));
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken };
        var warmUp = Plan(run + "w", Math.Max(1, parallelism), writesPerItem, readsPerItem);
        var timed = Plan(run + "t", items, writesPerItem, readsPerItem);
        try
        {
            // Objects that reads-only items read (a duplicate's read of its proof reads one that exists too).
            await Parallel.ForEachAsync(timed.Where(i => i.Anchor is not null), options,
                async (item, token) => await storage.CreateIfAbsentAsync(item.Anchor!, body, ObjectMetadata.None, token).ConfigureAwait(false))
                .ConfigureAwait(false);
            await SendAsync(storage, warmUp, body, options).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            var cpu = CpuSeconds();
            await SendAsync(storage, timed, body, options).ConfigureAwait(false);
            var seconds = Seconds(started);
            var requestCpu = CpuSeconds() - cpu;

            var objects = timed.SelectMany(i => i.Anchor is null ? i.Writes : [i.Anchor]).ToArray();
            started = Stopwatch.GetTimestamp();
            cpu = CpuSeconds();
            await Parallel.ForEachAsync(objects, options, async (key, token) => await storage.DeleteAsync(key, token).ConfigureAwait(false))
                .ConfigureAwait(false);
            return new ProbeRates(items, body.Length, timed.Sum(i => i.Writes.Length), timed.Sum(i => i.Reads.Length), seconds,
                objects.Length, Seconds(started), requestCpu, CpuSeconds() - cpu);
        }
        finally
        {
            await RemoveLeftoversAsync(storage, run).ConfigureAwait(false);
        }
    }

    /// <summary>Spreads the run's writes and reads per item over the probe items (whole requests, the same totals in proportion).</summary>
    private static ProbeItem[] Plan(string prefix, int items, double writesPerItem, double readsPerItem)
    {
        var plan = new ProbeItem[items];
        for (var i = 0; i < items; i++)
        {
            var writes = Share(i, writesPerItem);
            var keys = Enumerable.Range(0, Math.Max(1, writes)).Select(j => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D4}-{j}")).ToArray();
            var reads = Share(i, readsPerItem);
            plan[i] = new ProbeItem(writes == 0 ? [] : keys, [.. Enumerable.Range(0, reads).Select(j => keys[j % keys.Length])],
                writes == 0 && reads > 0 ? keys[0] : null);
        }

        return plan;
    }

    /// <summary>Item <paramref name="index"/>'s whole share of a fractional rate, so that the first n items hold ⌊n × rate⌋.</summary>
    private static int Share(int index, double perItem) => (int)Math.Floor((index + 1) * perItem) - (int)Math.Floor(index * perItem);

    private static async Task SendAsync(IStorageProvider storage, ProbeItem[] plan, byte[] body, ParallelOptions options) =>
        await Parallel.ForEachAsync(plan, options, async (item, token) =>
        {
            foreach (var key in item.Writes)
            {
                await storage.CreateIfAbsentAsync(key, body, ObjectMetadata.None, token).ConfigureAwait(false);
            }

            foreach (var key in item.Reads)
            {
                await storage.GetAsync(key, token).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

    /// <summary>After a failed phase, what was written goes; a target that is away keeps them.</summary>
    private static async Task RemoveLeftoversAsync(IStorageProvider storage, string run)
    {
        try
        {
            await foreach (var left in storage.ListKeysAsync(run, CancellationToken.None).ConfigureAwait(false))
            {
                await storage.DeleteAsync(left, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (StorageUnavailableException)
        {
            // The phase's own failure is the one reported.
        }
    }

    /// <summary>User and system CPU time of this process so far (every thread: the SDK's, the file system calls', the GC's).</summary>
    private static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static double Seconds(long started) => Math.Max(Stopwatch.GetElapsedTime(started).TotalSeconds, 1e-6);

    /// <summary>One probe item: the objects it creates, then the ones it reads; <c>Anchor</c>, created before timing, for an item that only reads.</summary>
    private sealed record ProbeItem(string[] Writes, string[] Reads, string? Anchor);
}
