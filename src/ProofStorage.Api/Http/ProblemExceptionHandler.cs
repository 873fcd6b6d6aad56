using Microsoft.AspNetCore.Diagnostics;
using ProofStorage.Core;

namespace ProofStorage.Api.Http;

/// <summary>Answers an exception that left an endpoint with its <see cref="ProblemCatalogue"/> entry; logs the 5xx ones.</summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
            httpContext.Response.StatusCode = 499;
            return true;
        }

        var (kind, detail) = ProblemCatalogue.Classify(exception);
        if (kind.Status >= StatusCodes.Status500InternalServerError)
        {
            LogFailure(logger, exception, httpContext.Request.Method, httpContext.Request.Path, kind.Status);
        }

        return await ProblemCatalogue.WriteAsync(problemDetails, httpContext, kind, detail, exception: exception,
            errors: (exception as ProofValidationException)?.Errors);
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "{Method} {Path} failed with {Status}")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, PathString path, int status);
}
