using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace ProofStorage.Api.Telemetry;

/// <summary>
/// One line per finished request, under the category <c>ProofStorage.Api.Requests</c>: <c>Information</c> for an
/// answer, <c>Warning</c> for one slower than <see cref="TelemetryOptions.SlowRequestThreshold"/>, <c>Error</c> for a
/// 5xx or an exception. Set that category's level to <c>Warning</c> to log only slow and failed requests. The line is
/// written inside the request, so it carries the request's trace and span ids. It runs outside the exception handler,
/// so the status logged is the one the client got (a problem's, 499 when the client went away); an exception reaches
/// it only when the handler could not answer it.
/// </summary>
/// <remarks>
/// It costs nothing when the category is off even for errors (no clock read, no allocation), and one log event when
/// it is on: unlike a request logger that collects properties per request (a diagnostic context, an enricher), it
/// reads the method, path and status once the response is done.
/// </remarks>
internal sealed partial class RequestLogMiddleware
{
    public const string CategoryName = "ProofStorage.Api.Requests";

    private readonly RequestDelegate _next;
    private readonly ILogger _logger;
    private readonly TimeSpan _slow;

    public RequestLogMiddleware(RequestDelegate next, ILoggerFactory loggers, IOptions<TelemetryOptions> options)
    {
        _next = next;
        _logger = loggers.CreateLogger(CategoryName);
        _slow = options.Value.SlowRequestThreshold;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!_logger.IsEnabled(LogLevel.Error))
        {
            return _next(context);
        }

        var started = Stopwatch.GetTimestamp();
        var next = _next(context);
        if (next.IsCompletedSuccessfully)
        {
            Completed(context, started);
            return Task.CompletedTask;
        }

        return AwaitAsync(next, context, started);
    }

    private async Task AwaitAsync(Task next, HttpContext context, long started)
    {
        try
        {
            await next;
        }
        catch (Exception ex)
        {
            var request = context.Request;
            // The exception handler could not answer it: the response had started (its status went out, then the
            // connection is aborted), or the handler itself failed (Kestrel answers 500).
            var status = context.Response.HasStarted ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
            RequestFailed(_logger, ex, request.Method, request.Path.Value ?? "/", status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }

        Completed(context, started);
    }

    private void Completed(HttpContext context, long started)
    {
        var status = context.Response.StatusCode;
        var elapsed = Stopwatch.GetElapsedTime(started);
        var level = status >= StatusCodes.Status500InternalServerError ? LogLevel.Error
            : elapsed >= _slow ? LogLevel.Warning
            : LogLevel.Information;
        if (!_logger.IsEnabled(level))
        {
            return;
        }

        var request = context.Request;
        RequestCompleted(_logger, level, request.Method, request.Path.Value ?? "/", status, elapsed.TotalMilliseconds);
    }

    [LoggerMessage(EventId = 2300, Message = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms")]
    private static partial void RequestCompleted(ILogger logger, LogLevel level, string requestMethod, string requestPath, int statusCode, double elapsed);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Error, Message = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms")]
    private static partial void RequestFailed(ILogger logger, Exception exception, string requestMethod, string requestPath, int statusCode, double elapsed);
}
