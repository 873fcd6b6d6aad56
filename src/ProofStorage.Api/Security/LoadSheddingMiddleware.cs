using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Http;
using ProofStorage.Api.Telemetry;

namespace ProofStorage.Api.Security;

/// <summary>
/// Caps the requests in progress (<see cref="OverloadOptions"/>): waits briefly in a bounded queue, then answers
/// <c>503</c> + <c>Retry-After</c> before reading the body, so memory stays bounded whatever the load.
/// Liveness is exempt so an overloaded process is not restarted for being busy, and so is the metrics scrape, which
/// matters most then.
/// </summary>
internal sealed class LoadSheddingMiddleware : IDisposable
{
    private readonly RequestDelegate _next;
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _queueTimeout;
    private readonly PathString _metricsPath;
    private readonly ILogger<LoadSheddingMiddleware> _logger;
    private long _shed;

    public LoadSheddingMiddleware(RequestDelegate next, IOptions<OverloadOptions> options, IOptions<TelemetryOptions> telemetry,
        ILogger<LoadSheddingMiddleware> logger)
    {
        _metricsPath = telemetry.Value.MetricsEnabled ? new PathString(telemetry.Value.MetricsPath) : default;
        _next = next;
        _logger = logger;
        var overload = options.Value;
        _queueTimeout = overload.QueueTimeout;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = overload.MaxConcurrentRequests,
            QueueLimit = overload.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problemDetails)
    {
        if (context.Request.Path.StartsWithSegments("/health/live", StringComparison.OrdinalIgnoreCase)
            || (_metricsPath.HasValue && context.Request.Path.StartsWithSegments(_metricsPath, StringComparison.OrdinalIgnoreCase)))
        {
            await _next(context);
            return;
        }

        var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(_queueTimeout);
            try
            {
                lease = await _limiter.AcquireAsync(1, timeout.Token);
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
                if (Interlocked.Increment(ref _shed) % 1000 == 1)
                {
                    SecurityLog.LoadShed(_logger, Interlocked.Read(ref _shed));
                }

                await ProblemCatalogue.WriteAsync(problemDetails, context, ProblemCatalogue.Overloaded,
                    "The service is at capacity. Nothing was changed; retry after the delay in Retry-After.");
                return;
            }

            await _next(context);
        }
    }

    public void Dispose() => _limiter.Dispose();
}
