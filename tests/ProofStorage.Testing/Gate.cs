namespace ProofStorage.Testing;

/// <summary>
/// Holds one call until the test releases it, and tells the test when the call got there: how tests put two concurrent
/// operations in an exact order (never by sleeping). Use <see cref="For"/> as a chaos hook.
/// </summary>
public sealed class Gate
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the held call has arrived.</summary>
    public Task Reached => _reached.Task;

    /// <summary>A hook that holds the first call for <paramref name="key"/> (and lets every other key through).</summary>
    public Func<string, Task> For(string key) => k =>
    {
        if (k != key || !_reached.TrySetResult())
        {
            return Task.CompletedTask;
        }

        return _released.Task;
    };

    public void Release() => _released.TrySetResult();
}
