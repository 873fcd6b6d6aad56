using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Http;

namespace ProofStorage.Api.Security;

/// <summary>
/// Caps the requests in progress (<see cref="OverloadOptions"/>): waits briefly in a bounded queue, then answers
/// <c>503</c> + <c>Retry-After</c> before reading the body, so memory stays bounded whatever the load.
/// Routes marked <see cref="LoadSheddingEndpointConventionExtensions.DisableLoadShedding{TBuilder}"/> are exempt: liveness,
/// so an overloaded process is not restarted for being busy, and the metrics scrape, which matters most then. The
/// OpenAPI document reads the same mark to say which operations can answer <c>503 overloaded</c>.
/// </summary>
internal sealed class LoadSheddingMiddleware : IDisposable
{
    private readonly RequestDelegate _next;
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _queueTimeout;
    private readonly ILogger<LoadSheddingMiddleware> _logger;
    private long _shed;

    public LoadSheddingMiddleware(RequestDelegate next, IOptions<OverloadOptions> options, ILogger<LoadSheddingMiddleware> logger)
    {
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
        if (LoadSheddingExemptMetadata.IsExempt(context.GetEndpoint()))
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

/// <summary>Endpoint metadata: the route is never shed (see <see cref="LoadSheddingMiddleware"/>).</summary>
internal sealed class LoadSheddingExemptMetadata
{
    public static LoadSheddingExemptMetadata Instance { get; } = new();

    private LoadSheddingExemptMetadata()
    {
    }

    public static bool IsExempt(IReadOnlyList<object> metadata) => metadata.OfType<LoadSheddingExemptMetadata>().Any();

    public static bool IsExempt(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<LoadSheddingExemptMetadata>() is not null;
}

internal static class LoadSheddingEndpointConventionExtensions
{
    /// <summary>Exempts the route from load shedding: probes and scrapes that must answer while the service is at capacity.</summary>
    public static TBuilder DisableLoadShedding<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(LoadSheddingExemptMetadata.Instance);
}
