namespace ProofStorage.Api.Http;

/// <summary>
/// Holds a resource for exactly as long as some work runs: what a response's bytes and a shed permit both need. Work
/// that finishes synchronously (a cached read) disposes it at once, without an async state machine; otherwise it is
/// disposed when the work's task completes, however it completes.
/// </summary>
internal static class DisposeAfter
{
    /// <summary>Runs <paramref name="work"/> with <paramref name="state"/> and disposes <paramref name="owned"/> once it has finished.</summary>
    public static Task Run<TState>(Func<TState, Task> work, TState state, IDisposable owned)
    {
        Task running;
        try
        {
            running = work(state);
        }
        catch
        {
            owned.Dispose();
            throw;
        }

        if (running.IsCompletedSuccessfully)
        {
            owned.Dispose();
            return Task.CompletedTask;
        }

        return AwaitAsync(running, owned);
    }

    private static async Task AwaitAsync(Task running, IDisposable owned)
    {
        try
        {
            await running;
        }
        finally
        {
            owned.Dispose();
        }
    }
}
