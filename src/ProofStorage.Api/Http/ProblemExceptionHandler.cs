using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using ProofStorage.Core;

namespace ProofStorage.Api.Http;

/// <summary>The one place failures become RFC 7807 ProblemDetails. Never echoes payloads or internal details.</summary>
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

        var (status, title, detail, type) = exception switch
        {
            ProofIntegrityException => (StatusCodes.Status502BadGateway, "Stored proof failed verification",
                "The stored copy of this proof is corrupted or cannot be authenticated, and no good copy could be read. It is not served.",
                "urn:proofstorage:problem:integrity"),
            StorageUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Storage unavailable",
                "The storage backend did not answer in time. Nothing was changed; retry later.", "urn:proofstorage:problem:storage-unavailable"),
            ProofTooLargeException tooLarge => (StatusCodes.Status413PayloadTooLarge, "Proof too large", tooLarge.Message,
                "urn:proofstorage:problem:too-large"),
            BadHttpRequestException badRequest => (badRequest.StatusCode, "Bad request", badRequest.Message, null),
            TimeoutException => (StatusCodes.Status503ServiceUnavailable, "Storage unavailable",
                "The storage backend did not answer in time. Nothing was changed; retry later.", "urn:proofstorage:problem:storage-unavailable"),
            _ => (StatusCodes.Status500InternalServerError, "Unexpected error", "The request failed unexpectedly; see the server log for the trace id.", null),
        };

        if (status >= 500)
        {
            LogFailure(logger, exception, httpContext.Request.Method, httpContext.Request.Path, status);
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = type },
        });
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "{Method} {Path} failed with {Status}")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, PathString path, int status);
}
