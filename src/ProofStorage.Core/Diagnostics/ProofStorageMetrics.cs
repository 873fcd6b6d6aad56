using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ProofStorage.Core.Diagnostics;

/// <summary>
/// The store's instruments on the <see cref="MeterName"/> meter (<see cref="System.Diagnostics.Metrics"/> only: any
/// listener — the OpenTelemetry SDK in the Api, <c>dotnet-counters</c>, a test's <c>MetricCollector</c> — can read
/// them). Recorded where the events happen: <see cref="StorageStatistics"/> (dedup, bytes, provider operations) and
/// the L1/L2 cache. Thread-safe singleton; each record is a counter add or histogram record with at most two
/// preallocated tags, so an instrument nobody listens to costs a branch.
/// </summary>
/// <remarks>
/// Instruments (names as exported over OTLP; Prometheus replaces dots with underscores and adds unit and
/// <c>_total</c> suffixes):
/// <list type="bullet">
/// <item><c>proofstorage.cache.hits</c>, <c>proofstorage.cache.misses</c> ({lookup}; tag <c>cache.level</c> =
/// <c>l1</c> | <c>l2</c> | <c>provider</c>).</item>
/// <item><c>proofstorage.provider.operation.duration</c> (s; tags <c>provider</c>, <c>operation</c>) and
/// <c>proofstorage.provider.errors</c> ({error}; same tags).</item>
/// <item><c>proofstorage.proofs.created</c>, <c>proofstorage.dedup.hits</c> ({proof}).</item>
/// <item><c>proofstorage.store.raw_bytes</c>, <c>proofstorage.store.stored_bytes</c> (By) and
/// <c>proofstorage.store.compression_ratio</c> (1, compressed ÷ raw per created proof).</item>
/// <item><c>proofstorage.integrity.failures</c> ({failure}; observable, so it is exported as 0 before the first failure
/// and a query over <c>increase()</c> sees that first one).</item>
/// </list>
/// Gauges read at collection time from callbacks the component owning the state registers (<c>Observe…</c>; a
/// gauge nobody registered for exports nothing):
/// <list type="bullet">
/// <item><c>proofstorage.replication.pending</c> ({entry}; tag <c>provider</c> = the pair): replication log entries not
/// yet applied.</item>
/// <item><c>proofstorage.provider.circuit.open</c> ({circuit}; tag <c>provider</c> = the member): 1 while the member's
/// circuit is not closed (open, half-open or isolated), else 0.</item>
/// <item><c>proofstorage.cache.l2.connected</c> ({connection}): 1 while the distributed cache level is connected.</item>
/// <item><c>proofstorage.filesystem.available</c> and <c>proofstorage.filesystem.size</c> (By; tag <c>provider</c>):
/// free space for the service and size of the file system holding a filesystem provider's root.</item>
/// <item><c>proofstorage.health.status</c> ({status}; tag <c>check</c>): each readiness check as the last readiness probe
/// found it: 2 healthy, 1 degraded, 0 unhealthy (the values of <c>HealthStatus</c>).</item>
/// <item><c>proofstorage.requests.in_flight</c> and <c>proofstorage.requests.queued</c> ({request}; tag
/// <c>request.class</c> = <c>read</c> | <c>write</c>): requests holding, and waiting for, a permit of their class's
/// concurrency limit; with <c>proofstorage.requests.shed</c> ({request}, observable counter): those answered 503.</item>
/// </list>
/// </remarks>
public sealed class ProofStorageMetrics : IDisposable
{
    /// <summary>The meter's name, to subscribe to (e.g. <c>AddMeter(ProofStorageMetrics.MeterName)</c>).</summary>
    public const string MeterName = "ProofStorage";

    /// <summary>The tag naming a request class (read, write) on the admission instruments.</summary>
    public const string RequestClassTag = "request.class";

    /// <summary>The tag naming a cache level on the hit and miss counters.</summary>
    public const string CacheLevelTag = "cache.level";

    /// <summary>The tag naming a provider (its configured name) on the provider instruments.</summary>
    public const string ProviderTag = "provider";

    /// <summary>The tag naming a provider operation: <c>get</c>, <c>put</c>, <c>delete</c>, <c>list</c>.</summary>
    public const string OperationTag = "operation";

    /// <summary>The tag naming a readiness check on <c>proofstorage.health.status</c>.</summary>
    public const string CheckTag = "check";

    private static readonly KeyValuePair<string, object?> L1 = new(CacheLevelTag, "l1");
    private static readonly KeyValuePair<string, object?> L2 = new(CacheLevelTag, "l2");
    private static readonly KeyValuePair<string, object?> ProviderLevel = new(CacheLevelTag, "provider");
    private static readonly KeyValuePair<string, object?>[] Operations =
    [
        new(OperationTag, "get"),
        new(OperationTag, "put"),
        new(OperationTag, "delete"),
        new(OperationTag, "list"),
    ];

    // Provider calls span a local disk (sub-millisecond) to a remote bucket (seconds): the default buckets
    // (0-10000, meant for milliseconds) would put every call in the first one.
    private static readonly double[] DurationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] RatioBuckets = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Histogram<double> _providerDuration;
    private readonly Counter<long> _providerErrors;
    private readonly Counter<long> _proofsCreated;
    private readonly Counter<long> _dedupHits;
    private readonly Counter<long> _rawBytes;
    private readonly Counter<long> _storedBytes;
    private readonly Histogram<double> _compressionRatio;
    private readonly ConcurrentQueue<Func<IEnumerable<Measurement<long>>>> _replicationBacklogs = new();
    private readonly ConcurrentQueue<Func<IEnumerable<Measurement<int>>>> _circuits = new();
    private readonly ConcurrentQueue<Func<IEnumerable<Measurement<int>>>> _distributedCaches = new();
    private readonly ConcurrentQueue<Func<IEnumerable<Measurement<long>>>> _diskAvailable = new();
    private readonly ConcurrentQueue<Func<IEnumerable<Measurement<long>>>> _diskSize = new();
    private readonly ConcurrentQueue<Func<IEnumerable<Measurement<int>>>> _healthStatuses = new();
    private readonly ConcurrentQueue<Func<IEnumerable<Measurement<long>>>> _inFlight = new();
    private readonly ConcurrentQueue<Func<IEnumerable<Measurement<long>>>> _queued = new();
    private readonly ConcurrentQueue<Func<IEnumerable<Measurement<long>>>> _shed = new();
    private long _integrityFailures;

    /// <summary>
    /// Creates the instruments on a meter from <paramref name="meterFactory"/> (the host's, so each host has its own
    /// meter); without one, on a meter this instance owns and disposes.
    /// </summary>
    public ProofStorageMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _cacheHits = _meter.CreateCounter<long>("proofstorage.cache.hits", "{lookup}",
            "Lookups answered by a cache level (l1: this instance's memory, l2: the shared cache, provider: the storage had the proof).");
        _cacheMisses = _meter.CreateCounter<long>("proofstorage.cache.misses", "{lookup}",
            "Lookups a cache level could not answer (provider: the storage had no such proof).");
        _providerDuration = _meter.CreateHistogram("proofstorage.provider.operation.duration", "s",
            "Duration of storage provider operations, failed ones included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _providerErrors = _meter.CreateCounter<long>("proofstorage.provider.errors", "{error}",
            "Storage provider operations that failed (cancellations excluded).");
        _proofsCreated = _meter.CreateCounter<long>("proofstorage.proofs.created", "{proof}", "Proofs written (new images).");
        _dedupHits = _meter.CreateCounter<long>("proofstorage.dedup.hits", "{proof}",
            "Stores answered with the proof already stored for the image (nothing written).");
        _rawBytes = _meter.CreateCounter<long>("proofstorage.store.raw_bytes", "By",
            "Canonical record bytes of created proofs, before compression.");
        _storedBytes = _meter.CreateCounter<long>("proofstorage.store.stored_bytes", "By",
            "Bytes written to the provider for created proofs (compressed, encrypted envelope).");
        _compressionRatio = _meter.CreateHistogram("proofstorage.store.compression_ratio", "1",
            "Compressed size ÷ raw size of each created proof (lower is better).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RatioBuckets });
        _meter.CreateObservableCounter("proofstorage.integrity.failures", () => Volatile.Read(ref _integrityFailures), "{failure}",
            "Stored objects that failed verification (provider checksum, authentication tag, record identity).");

        _meter.CreateObservableGauge("proofstorage.replication.pending", () => Collect(_replicationBacklogs), "{entry}",
            "Replication log entries of a failover pair not yet applied to their target member.");
        _meter.CreateObservableGauge("proofstorage.provider.circuit.open", () => Collect(_circuits), "{circuit}",
            "1 while the circuit breaker of a failover member is not closed (open, half-open or isolated): the member is being skipped.");
        _meter.CreateObservableGauge("proofstorage.cache.l2.connected", () => Collect(_distributedCaches), "{connection}",
            "1 while the distributed (L2) cache level is connected, 0 while it is away (reads fall through to storage).");
        _meter.CreateObservableGauge("proofstorage.filesystem.available", () => Collect(_diskAvailable), "By",
            "Free bytes available to the service on the file system holding a filesystem provider's root.");
        _meter.CreateObservableGauge("proofstorage.filesystem.size", () => Collect(_diskSize), "By",
            "Size in bytes of the file system holding a filesystem provider's root.");
        // Read from the admission limiter at each collection: nothing is recorded per request.
        _meter.CreateObservableGauge("proofstorage.requests.in_flight", () => Collect(_inFlight), "{request}",
            "Requests holding a permit of their class's concurrency limit (request.class read or write; liveness and the scrape hold none).");
        _meter.CreateObservableGauge("proofstorage.requests.queued", () => Collect(_queued), "{request}",
            "Requests waiting in their class's queue for a permit.");
        _meter.CreateObservableCounter("proofstorage.requests.shed", () => Collect(_shed), "{request}",
            "Requests answered 503 overloaded by their class's concurrency limit: permits and queue full, or the queue wait timed out.");
        _meter.CreateObservableGauge("proofstorage.health.status", () => Collect(_healthStatuses), "{status}",
            "Each readiness check as the last readiness probe found it: 2 healthy, 1 degraded, 0 unhealthy.");
    }

    /// <summary>The meter the instruments live on.</summary>
    public Meter Meter => _meter;

    internal void CacheLookup(CacheLevel level, bool hit)
    {
        var tag = level switch
        {
            CacheLevel.L1 => L1,
            CacheLevel.L2 => L2,
            _ => ProviderLevel,
        };
        (hit ? _cacheHits : _cacheMisses).Add(1, tag);
    }

    internal void ProviderOperation(string provider, ProviderOperation operation, TimeSpan elapsed, bool failed)
    {
        var providerTag = new KeyValuePair<string, object?>(ProviderTag, provider);
        var operationTag = Operations[(int)operation];
        _providerDuration.Record(elapsed.TotalSeconds, providerTag, operationTag);

        if (failed)
        {
            _providerErrors.Add(1, providerTag, operationTag);
        }
    }

    internal void ProofCreated(long rawBytes, long compressedBytes, long storedBytes)
    {
        _proofsCreated.Add(1);
        _rawBytes.Add(rawBytes);
        _storedBytes.Add(storedBytes);
        if (rawBytes > 0)
        {
            _compressionRatio.Record((double)compressedBytes / rawBytes);
        }
    }

    internal void DedupHit() => _dedupHits.Add(1);

    internal void IntegrityFailure() => Interlocked.Increment(ref _integrityFailures);

    /// <summary>Reports a failover pair's replication backlog (<paramref name="pending"/> is read at each collection).</summary>
    public void ObserveReplicationBacklog(string pair, Func<long> pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var tag = new KeyValuePair<string, object?>(ProviderTag, pair);
        _replicationBacklogs.Enqueue(() => [new Measurement<long>(pending(), tag)]);
    }

    /// <summary>Reports whether a failover member's circuit is not closed (read at each collection).</summary>
    public void ObserveCircuit(string provider, Func<bool> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        var tag = new KeyValuePair<string, object?>(ProviderTag, provider);
        _circuits.Enqueue(() => [new Measurement<int>(open() ? 1 : 0, tag)]);
    }

    /// <summary>Reports whether the distributed cache level is connected (read at each collection).</summary>
    public void ObserveDistributedCache(Func<bool> connected)
    {
        ArgumentNullException.ThrowIfNull(connected);
        _distributedCaches.Enqueue(() => [new Measurement<int>(connected() ? 1 : 0)]);
    }

    /// <summary>
    /// Reports the free and total bytes of the file system holding <paramref name="path"/> for a filesystem provider;
    /// nothing while the path's file system cannot be read.
    /// </summary>
    public void ObserveFileSystem(string provider, string path)
    {
        var tag = new KeyValuePair<string, object?>(ProviderTag, provider);
        _diskAvailable.Enqueue(() => DiskSpace(path) is { } space ? [new Measurement<long>(space.Available, tag)] : []);
        _diskSize.Enqueue(() => DiskSpace(path) is { } space ? [new Measurement<long>(space.Size, tag)] : []);
    }

    /// <summary>
    /// Reports one request class's admission: requests holding a permit, requests queued for one, and requests shed
    /// (each read at each collection).
    /// </summary>
    public void ObserveRequestClass(string requestClass, Func<long> inFlight, Func<long> queued, Func<long> shed)
    {
        ArgumentNullException.ThrowIfNull(inFlight);
        ArgumentNullException.ThrowIfNull(queued);
        ArgumentNullException.ThrowIfNull(shed);
        var tag = new KeyValuePair<string, object?>(RequestClassTag, requestClass);
        _inFlight.Enqueue(() => [new Measurement<long>(inFlight(), tag)]);
        _queued.Enqueue(() => [new Measurement<long>(queued(), tag)]);
        _shed.Enqueue(() => [new Measurement<long>(shed(), tag)]);
    }

    /// <summary>Reports readiness checks by name with their <c>HealthStatus</c> value (read at each collection).</summary>
    public void ObserveHealth(Func<IEnumerable<KeyValuePair<string, int>>> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        _healthStatuses.Enqueue(() => statuses().Select(s => new Measurement<int>(s.Value, new KeyValuePair<string, object?>(CheckTag, s.Key))));
    }

    private static IEnumerable<Measurement<T>> Collect<T>(ConcurrentQueue<Func<IEnumerable<Measurement<T>>>> sources)
        where T : struct => sources.SelectMany(source => source());

    private static (long Available, long Size)? DiskSpace(string path)
    {
        try
        {
            // On Unix any path names the file system it lives on (statvfs).
            var drive = new DriveInfo(path);
            return (drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}

/// <summary>The cache levels a lookup passes through, in order.</summary>
internal enum CacheLevel
{
    L1,
    L2,
    Provider,
}
