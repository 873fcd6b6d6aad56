using System.Collections.Concurrent;
using System.Diagnostics;

namespace ProofStorage.Core.Diagnostics;

/// <summary>
/// Process-wide counters the store keeps; cheap to update (interlocked), read as a snapshot (<c>/v1/stats</c>).
/// Each event is also recorded on <see cref="ProofStorageMetrics"/> when one is given, so the snapshot and the
/// exported metrics are counted at the same place.
/// </summary>
public sealed class StorageStatistics
{
    private readonly ConcurrentDictionary<string, ProviderCounters> _providers = new(StringComparer.Ordinal);
    private readonly ProofStorageMetrics? _metrics;
    private long _dedupLookups;
    private long _dedupHits;
    private long _dedupBytesSaved;
    private long _compressionBytesIn;
    private long _compressionBytesOut;
    private long _integrityFailures;

    /// <summary>Counters only (no instruments): for tools and tests that export nothing.</summary>
    public StorageStatistics()
    {
    }

    /// <summary>Counters that also record every event on <paramref name="metrics"/>.</summary>
    public StorageStatistics(ProofStorageMetrics metrics) => _metrics = metrics;

    internal ProofStorageMetrics? Metrics => _metrics;

    internal void DedupLookup() => Interlocked.Increment(ref _dedupLookups);

    internal void DedupHit(long bytesSaved)
    {
        Interlocked.Increment(ref _dedupHits);
        Interlocked.Add(ref _dedupBytesSaved, bytesSaved);
        _metrics?.DedupHit();
    }

    /// <summary>A proof was created: its record (<paramref name="rawBytes"/>), compressed and stored (envelope) sizes.</summary>
    internal void Created(long rawBytes, long compressedBytes, long storedBytes)
    {
        Interlocked.Add(ref _compressionBytesIn, rawBytes);
        Interlocked.Add(ref _compressionBytesOut, compressedBytes);
        _metrics?.ProofCreated(rawBytes, compressedBytes, storedBytes);
    }

    /// <summary>A lookup that reached the provider: whether the proof was there.</summary>
    internal void ProviderLookup(bool found) => _metrics?.CacheLookup(CacheLevel.Provider, found);

    internal void IntegrityFailure()
    {
        Interlocked.Increment(ref _integrityFailures);
        _metrics?.IntegrityFailure();
    }

    /// <summary>The counters of one provider (created on first use).</summary>
    public ProviderCounters ForProvider(string name) => _providers.GetOrAdd(name, static (n, owner) => new ProviderCounters(n, owner), this);

    public DedupSnapshot Dedup => new(Volatile.Read(ref _dedupLookups), Volatile.Read(ref _dedupHits), Volatile.Read(ref _dedupBytesSaved));

    public CompressionSnapshot Compression
    {
        get
        {
            var bytesIn = Volatile.Read(ref _compressionBytesIn);
            var bytesOut = Volatile.Read(ref _compressionBytesOut);
            return new CompressionSnapshot(bytesIn, bytesOut, bytesIn == 0 ? 0 : Math.Round(1 - ((double)bytesOut / bytesIn), 4));
        }
    }

    public long IntegrityFailures => Volatile.Read(ref _integrityFailures);

    public IReadOnlyList<ProviderSnapshot> Providers => [.. _providers.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Snapshot())];
}

/// <summary>Operation and error counts of one provider, plus a latency window for percentiles.</summary>
public sealed class ProviderCounters
{
    private const int WindowSize = 1024;
    private readonly double[] _latencies = new double[WindowSize];
    private long _samples;
    private long _gets;
    private long _puts;
    private long _deletes;
    private long _lists;
    private long _errors;
    private readonly StorageStatistics _owner;
    private readonly ProofStorageMetrics? _metrics;

    internal ProviderCounters(string name, StorageStatistics owner)
    {
        Name = name;
        _owner = owner;
        _metrics = owner.Metrics;
    }

    public string Name { get; }

    /// <summary>The provider refused an object as damaged (e.g. its checksum): counted with the store's integrity failures.</summary>
    internal void IntegrityFailure() => _owner.IntegrityFailure();

    /// <summary>Counts one operation begun at <paramref name="startedTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    internal void Count(ProviderOperation operation, long startedTimestamp, bool failed)
    {
        var elapsed = Stopwatch.GetElapsedTime(startedTimestamp);
        _metrics?.ProviderOperation(Name, operation, elapsed, failed);
        switch (operation)
        {
            case ProviderOperation.Get: Interlocked.Increment(ref _gets); break;
            case ProviderOperation.Put: Interlocked.Increment(ref _puts); break;
            case ProviderOperation.Delete: Interlocked.Increment(ref _deletes); break;
            default: Interlocked.Increment(ref _lists); break;
        }

        if (failed)
        {
            Interlocked.Increment(ref _errors);
        }

        var slot = Interlocked.Increment(ref _samples) - 1;
        Volatile.Write(ref _latencies[slot % WindowSize], elapsed.TotalMilliseconds);
    }

    public ProviderSnapshot Snapshot()
    {
        var count = (int)Math.Min(Volatile.Read(ref _samples), WindowSize);
        var window = new double[count];
        Array.Copy(_latencies, window, count);
        Array.Sort(window);
        return new ProviderSnapshot(Name, Volatile.Read(ref _gets), Volatile.Read(ref _puts), Volatile.Read(ref _deletes),
            Volatile.Read(ref _lists), Volatile.Read(ref _errors), Percentile(window, 0.50), Percentile(window, 0.99));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)], 3);
}

public enum ProviderOperation
{
    Get,
    Put,
    Delete,
    List,
}

public sealed record DedupSnapshot(long Lookups, long Hits, long BytesSaved);

public sealed record CompressionSnapshot(long BytesIn, long BytesOut, double Ratio);

/// <summary>Counts and latency percentiles (milliseconds, last 1024 operations) of one provider.</summary>
public sealed record ProviderSnapshot(string Name, long Gets, long Puts, long Deletes, long Lists, long Errors, double LatencyP50Ms, double LatencyP99Ms);
