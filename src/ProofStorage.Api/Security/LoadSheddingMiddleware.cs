using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Http;
using ProofStorage.Core.Diagnostics;

namespace ProofStorage.Api.Security;

/// <summary>
/// Caps the requests in progress per <see cref="RequestClass"/> (<see cref="OverloadOptions"/>): a request waits
/// briefly in its class's bounded queue, then gets <c>503</c> + <c>Retry-After</c> before its body is read. Reads and
/// writes have separate limits, so a cached read never waits for permits held by stores stuck on a slow provider.
/// Liveness and the metrics scrape (<see cref="RequestClass.Unlimited"/>) are never shed: an overloaded process is
/// busy, not dead, and its figures matter most then. The OpenAPI document reads the same class (<see cref="EndpointAccess"/>)
/// to say which operations can answer <c>503 overloaded</c>.
/// </summary>
internal sealed class LoadSheddingMiddleware : IDisposable
{
    private readonly RequestDelegate _next;
    private readonly ConcurrencyLimiter _reads;
    private readonly ConcurrencyLimiter _writes;
    private readonly TimeSpan _queueTimeout;
    private readonly IProblemDetailsService _problemDetails;
    private readonly ILogger<LoadSheddingMiddleware> _logger;
    private long _shedReads;
    private long _shedWrites;

    public LoadSheddingMiddleware(RequestDelegate next, IOptions<OverloadOptions> options, IProblemDetailsService problemDetails,
        ProofStorageMetrics metrics, ILogger<LoadSheddingMiddleware> logger)
    {
        _next = next;
        _problemDetails = problemDetails;
        _logger = logger;
        var overload = options.Value;
        _queueTimeout = overload.QueueTimeout;
        _reads = Limiter(overload.MaxConcurrentReads, overload.QueueLimit);
        _writes = Limiter(overload.MaxConcurrentRequests, overload.QueueLimit);
        Observe(metrics, "read", _reads, overload.MaxConcurrentReads, () => Interlocked.Read(ref _shedReads));
        Observe(metrics, "write", _writes, overload.MaxConcurrentRequests, () => Interlocked.Read(ref _shedWrites));
    }

    public Task InvokeAsync(HttpContext context)
    {
        var requestClass = EndpointAccess.Of(context.GetEndpoint()).Class;
        if (requestClass == RequestClass.Unlimited)
        {
            return _next(context);
        }

        var limiter = requestClass == RequestClass.Write ? _writes : _reads;
        var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            // A cached read finishes synchronously: its permit is returned at once.
            return DisposeAfter.Run(static s => s.Next(s.Context), (Next: _next, Context: context), lease);
        }

        lease.Dispose();
        return QueueAsync(context, limiter);
    }

    public void Dispose()
    {
        _reads.Dispose();
        _writes.Dispose();
    }

    private async Task QueueAsync(HttpContext context, ConcurrencyLimiter limiter)
    {
        RateLimitLease? lease;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            timeout.CancelAfter(_queueTimeout);
            try
            {
                lease = await limiter.AcquireAsync(1, timeout.Token);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                lease = null;
            }
        }

        using (lease)
        {
            if (lease is not { IsAcquired: true })
            {
                var writes = limiter == _writes;
                var shed = Interlocked.Increment(ref writes ? ref _shedWrites : ref _shedReads);
                if (shed % 1000 == 1)
                {
                    SecurityLog.LoadShed(_logger, shed, writes ? "write" : "read");
                }

                await ProblemCatalogue.WriteAsync(_problemDetails, context, ProblemCatalogue.Overloaded,
                    "The service is at capacity. Nothing was changed; retry after the delay in Retry-After.");
                return;
            }

            await _next(context);
        }
    }

    /// <summary>
    /// The class's admission as gauges, read from the limiter when metrics are collected: in-flight and queued counts
    /// cost nothing per request (ASP.NET Core's own requests-in-progress counter, updated twice per request, is not exported).
    /// </summary>
    private static void Observe(ProofStorageMetrics metrics, string requestClass, ConcurrencyLimiter limiter, int permits, Func<long> shed)
    {
        metrics.ObserveRequestClass(requestClass,
            inFlight: () => Statistics(limiter) is { } s ? permits - s.CurrentAvailablePermits : 0,
            queued: () => Statistics(limiter)?.CurrentQueuedCount ?? 0,
            shed);

        // Should the limiter ever be disposed (the middleware is IDisposable, though ASP.NET Core does not dispose it), a
        // collection reports nothing for it rather than throwing.
        static RateLimiterStatistics? Statistics(ConcurrencyLimiter limiter)
        {
            try
            {
                return limiter.GetStatistics();
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
        }
    }

    private static ConcurrencyLimiter Limiter(int permits, int queue) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = permits,
        QueueLimit = queue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });
}
