using System.Threading.RateLimiting;

namespace ProofStorage.Maintenance.Walking;

/// <summary>
/// Limits a walk to <c>objects</c> keys and <c>bytes</c> bytes read per second (0 = unlimited), with two token buckets
/// (<see cref="TokenBucketRateLimiter"/>) refilled about ten times a second and holding at most one second's worth: a pause
/// (a listing page being fetched between batches) is made up for by at most one second at twice the rate, so the average
/// holds the setting and live traffic is never starved for longer than that.
/// </summary>
internal sealed class Throttle : IAsyncDisposable
{
    private readonly TokenBucketRateLimiter? _objects;
    private readonly TokenBucketRateLimiter? _bytes;
    private readonly int _byteChunk;

    public Throttle(double objectsPerSecond, long bytesPerSecond)
    {
        _objects = objectsPerSecond > 0 ? Bucket(objectsPerSecond, out _) : null;
        _bytes = bytesPerSecond > 0 ? Bucket(bytesPerSecond, out _byteChunk) : null;
    }

    /// <summary>No limit.</summary>
    public static Throttle None { get; } = new(0, 0);

    /// <summary>Waits for one object's turn.</summary>
    public async ValueTask ObjectAsync(CancellationToken cancellationToken)
    {
        if (_objects is not null)
        {
            using var lease = await _objects.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="count"/> more bytes may be read (in bucket-sized pieces).</summary>
    public async ValueTask BytesAsync(long count, CancellationToken cancellationToken)
    {
        if (_bytes is null)
        {
            return;
        }

        for (var left = count; left > 0; left -= _byteChunk)
        {
            using var lease = await _bytes.AcquireAsync((int)Math.Min(left, _byteChunk), cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_objects is not null)
        {
            await _objects.DisposeAsync().ConfigureAwait(false);
        }

        if (_bytes is not null)
        {
            await _bytes.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static TokenBucketRateLimiter Bucket(double perSecond, out int tokensPerPeriod)
    {
        // About ten refills a second, each a whole number of tokens; the period is stretched so the rate is exact.
        tokensPerPeriod = (int)Math.Clamp(Math.Ceiling(perSecond / 10), 1, int.MaxValue);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = (int)Math.Clamp(Math.Ceiling(perSecond), tokensPerPeriod, int.MaxValue),
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / perSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}
