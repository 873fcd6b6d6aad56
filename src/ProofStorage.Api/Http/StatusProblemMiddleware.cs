namespace ProofStorage.Api.Http;

/// <summary>
/// Gives a problem body to a response that ends with an error status and no body, as ASP.NET Core's status-code pages
/// do (same test: not started, 400–599, no Content-Length, no Content-Type), without their per-request feature object
/// and state machine: a request that completes synchronously with a success costs one status check.
/// </summary>
internal sealed class StatusProblemMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var pending = next(context);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitAsync(pending, context);
        }

        return NeedsProblem(context.Response) ? ProblemCatalogue.WriteStatusProblemAsync(context) : Task.CompletedTask;
    }

    private static bool NeedsProblem(HttpResponse response) =>
        response.StatusCode is >= 400 and < 600 && !response.HasStarted && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType);

    private static async Task AwaitAsync(Task pending, HttpContext context)
    {
        await pending;
        if (NeedsProblem(context.Response))
        {
            await ProblemCatalogue.WriteStatusProblemAsync(context);
        }
    }
}
