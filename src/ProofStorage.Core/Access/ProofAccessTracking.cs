using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Diagnostics;

namespace ProofStorage.Core.Access;

/// <summary>
/// Per-proof access tracking as a whole: the in-memory <see cref="Tracker"/> the store's read and dedup paths count
/// on, and the <see cref="Store"/> its counts are flushed to in batches (<see cref="FlushAsync"/>, called every
/// <see cref="AccessTrackingOptions.FlushInterval"/> by a background service, early when the table fills, and once
/// more when the host stops). Registered only when <see cref="AccessTrackingOptions.Enabled"/> is on; thread-safe.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The semaphore is only ever awaited (WaitAsync), so it never creates a wait handle: there is nothing to dispose, and a "
        + "disposed one would fail the last flush of a host whose stop runs after its container was disposed (WebApplicationFactory does).")]
public sealed class ProofAccessTracking
{
    private readonly AccessTrackingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private long _flushes;
    private long _failedFlushes;
    private long _lost;
    private long _written;
    private DateTimeOffset? _lastFlushAt;
    private AccessRanking _top = AccessRanking.Empty;

    public ProofAccessTracking(IProofAccessStore store, IOptions<AccessTrackingOptions> options, TimeProvider time, ILogger<ProofAccessTracking> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options.Value;
        _time = time;
        _logger = logger;
        Tracker = new ProofAccessTracker(_options.MaxTrackedProofs, time);
    }

    /// <summary>The in-memory counts (the hot path).</summary>
    public ProofAccessTracker Tracker { get; }

    /// <summary>Where the counts add up across instances.</summary>
    public IProofAccessStore Store { get; }

    /// <summary>The configured settings.</summary>
    public AccessTrackingOptions Options => _options;

    /// <summary>
    /// Writes every count gathered since the last flush to <see cref="Store"/>, then refreshes the ranking shown by
    /// <see cref="Snapshot"/>. Flushes never overlap; a failed write is logged and counted as lost, never retried (so
    /// nothing is counted twice). Throws only for cancellation.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var batch = Tracker.Drain();
            if (batch.Count > 0)
            {
                IReadOnlyList<ProofAccessCounts> failed;
                try
                {
                    failed = await Store.AddAsync(batch, _options.TopCount, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // The store failed as a whole (Redis away, or the host gave up waiting): the batch is given up like a
                    // failed write, never retried.
                    Lost(batch, batch.Count);
                    if (ex is OperationCanceledException)
                    {
                        throw;
                    }

                    Log.AccessFlushFailed(_logger, ex, Store.Name);
                    return;
                }

                Interlocked.Increment(ref _flushes);
                Interlocked.Add(ref _written, batch.Sum(c => c.Reads + c.Duplicates) - failed.Sum(c => c.Reads + c.Duplicates));
                _lastFlushAt = _time.GetUtcNow();
                Lost(failed, batch.Count);
            }

            _top = await Store.GetTopAsync(_options.TopCount, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The ranking only: it is read again at the next flush.
            Log.AccessFlushFailed(_logger, ex, Store.Name);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private void Lost(IReadOnlyList<ProofAccessCounts> failed, int proofs)
    {
        if (failed.Count > 0)
        {
            var lost = failed.Sum(f => f.Reads + f.Duplicates);
            Interlocked.Increment(ref _failedFlushes);
            Interlocked.Add(ref _lost, lost);
            Log.AccessCountsLost(_logger, failed.Count, proofs, lost, Store.Name);
        }
    }

    /// <summary>The last flush, then lets the store release what it holds for this instance (called when the host stops).</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Store.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.AccessFlushFailed(_logger, ex, Store.Name);
        }
    }

    /// <summary>The totals of one proof as of the last flush of every instance (<see langword="null"/>: none recorded).</summary>
    public Task<ProofAccessCounts?> GetAsync(string proofId, CancellationToken cancellationToken) => Store.GetAsync(proofId, cancellationToken);

    /// <summary>This instance's figures and the ranking as of its last flush.</summary>
    public AccessSnapshot Snapshot() =>
        new(Store.Name, Tracker.TrackedProofs, Tracker.MaxTrackedProofs, Tracker.Untracked, Interlocked.Read(ref _flushes),
            Interlocked.Read(ref _written), Interlocked.Read(ref _failedFlushes), Interlocked.Read(ref _lost), _lastFlushAt, _top);
}

/// <summary>
/// Flushes <see cref="ProofAccessTracking"/> every flush interval, at once when its table fills, and a last time when
/// the host stops (so a graceful shutdown loses no counts). Does nothing when tracking is off.
/// </summary>
internal sealed class ProofAccessFlushService(ProofAccessTracking? tracking, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (tracking is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(tracking.Options.FlushInterval, time);
        Task<bool>? tick = null;
        while (true)
        {
            // One tick wait stays pending across an early (table full) flush: a PeriodicTimer takes one waiter at a time.
            tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
            var woke = await Task.WhenAny(tick, tracking.Tracker.WhenFull).ConfigureAwait(false);
            if (woke == tick)
            {
                if (tick.IsCanceled || !tick.Result)
                {
                    return;
                }

                tick = null;
            }

            // Not cancelled by the host stopping: a drained batch is written (or reported lost) in full, and StopAsync
            // then flushes what came after it.
            await tracking.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (tracking is not null)
        {
            await tracking.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
