using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ProofStorage.Api.Security;

/// <summary>
/// The bytes of request bodies the process holds at once (<see cref="OverloadOptions.MaxInFlightBodyBytes"/>). A body
/// reserves its size before it is read (<c>Content-Length</c>) or as it grows (chunked); a reservation over what is left
/// waits, oldest first, at most <see cref="OverloadOptions.QueueTimeout"/>, after which the request gets <c>503</c>.
/// Thread-safe singleton.
/// </summary>
internal sealed class RequestBodyBudget : IDisposable
{
    /// <summary>
    /// What a store reserves per byte of body: the body, then the record, its gzip and its envelope it builds in one
    /// block before it answers (each at most about the body's size, for an incompressible proof).
    /// </summary>
    public const int StoreFactor = 4;

    private readonly ConcurrencyLimiter _bytes;
    private readonly TimeSpan _queueTimeout;
    private long _reserved;

    public RequestBodyBudget(IOptions<OverloadOptions> options)
    {
        var overload = options.Value;
        Limit = overload.MaxInFlightBodyBytes;
        _queueTimeout = overload.QueueTimeout;
        _bytes = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = (int)Limit,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>The budget in bytes.</summary>
    public long Limit { get; }

    /// <summary>Bytes reserved now by bodies in flight.</summary>
    public long Reserved => Interlocked.Read(ref _reserved);

    /// <summary>Bytes asked for by bodies waiting for the budget.</summary>
    public long Waiting => _bytes.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>
    /// Reserves <paramref name="bytes"/> (at most <see cref="Limit"/>); the lease gives them back when disposed. Null when
    /// they could not be had within the queue timeout. Throws <see cref="OperationCanceledException"/> when the request
    /// is aborted while it waits.
    /// </summary>
    public async ValueTask<Reservation?> ReserveAsync(long bytes, CancellationToken requestAborted)
    {
        var permits = (int)Math.Clamp(bytes, 1, Limit);
        var lease = _bytes.AttemptAcquire(permits);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
            timeout.CancelAfter(_queueTimeout);
            try
            {
                lease = await _bytes.AcquireAsync(permits, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
            {
                return null;
            }

            if (!lease.IsAcquired)
            {
                lease.Dispose();
                return null;
            }
        }

        Interlocked.Add(ref _reserved, permits);
        return new Reservation(this, lease, permits);
    }

    public void Dispose() => _bytes.Dispose();

    /// <summary>Bytes held by one body; disposing gives them back (once).</summary>
    internal sealed class Reservation(RequestBodyBudget budget, RateLimitLease lease, int bytes) : IDisposable
    {
        private int _disposed;

        public int Bytes => bytes;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Add(ref budget._reserved, -bytes);
                lease.Dispose();
            }
        }
    }
}
