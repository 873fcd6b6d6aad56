using ProofStorage.Api.Http;

namespace ProofStorage.IntegrationTests.Http;

/// <summary>A response's bytes and a shed permit are held exactly as long as the work runs, however it ends.</summary>
public sealed class DisposeAfterTests
{
    [Fact]
    public void WorkDoneSynchronously_DisposesAtOnce()
    {
        var owned = new Counted();

        var task = DisposeAfter.Run(static _ => Task.CompletedTask, 0, owned);

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(1, owned.Disposals);
    }

    [Fact]
    public void WorkThrowingSynchronously_DisposesOnce_AndTheExceptionGoesOn()
    {
        var owned = new Counted();

        // Thrown by the call itself, before any task exists.
        Assert.Throws<InvalidOperationException>(() => { _ = DisposeAfter.Run<int>(static _ => throw new InvalidOperationException(), 0, owned); });

        Assert.Equal(1, owned.Disposals);
    }

    [Fact]
    public async Task PendingWork_KeepsTheResourceUntilItCompletes()
    {
        var owned = new Counted();
        var work = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var task = DisposeAfter.Run(static w => w.Task, work, owned);
        Assert.Equal(0, owned.Disposals);
        work.SetResult();
        await task;

        Assert.Equal(1, owned.Disposals);
    }

    [Fact]
    public async Task WorkThatFailsOrIsCanceled_DisposesOnce_AndEndsTheSameWay()
    {
        var failed = new Counted();
        var canceled = new Counted();
        var failing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var failedTask = DisposeAfter.Run(static w => w.Task, failing, failed);
        failing.SetException(new IOException("the client went away"));
        var canceledTask = DisposeAfter.Run(static _ => Task.FromCanceled(new CancellationToken(canceled: true)), 0, canceled);

        await Assert.ThrowsAsync<IOException>(() => failedTask);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => canceledTask);
        Assert.Equal((1, 1), (failed.Disposals, canceled.Disposals));
    }

    private sealed class Counted : IDisposable
    {
        private int _disposals;

        public int Disposals => Volatile.Read(ref _disposals);

        public void Dispose() => Interlocked.Increment(ref _disposals);
    }
}
