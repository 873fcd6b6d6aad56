using System.Diagnostics;
using System.Runtime.CompilerServices;
using ProofStorage.Core.Diagnostics;

namespace ProofStorage.Core.Storage;

/// <summary>Counts operations, errors and latency of the provider it wraps; adds no behaviour.</summary>
internal sealed class InstrumentedStorageProvider(IStorageProvider inner, ProviderCounters counters) : IStorageProvider
{
    public string Name => inner.Name;

    internal IStorageProvider Inner => inner;

    public Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken) =>
        Measure(ProviderOperation.Get, Stopwatch.GetTimestamp(), inner.GetAsync(key, cancellationToken));

    public Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken) =>
        Measure(ProviderOperation.Put, Stopwatch.GetTimestamp(), inner.CreateIfAbsentAsync(key, content, metadata, cancellationToken));

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken) =>
        await Measure(ProviderOperation.Put, Stopwatch.GetTimestamp(), Wrap(inner.PutAsync(key, content, metadata, cancellationToken))).ConfigureAwait(false);

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) =>
        Measure(ProviderOperation.Delete, Stopwatch.GetTimestamp(), inner.DeleteAsync(key, cancellationToken));

    public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            await foreach (var key in inner.ListKeysAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                yield return key;
            }

            failed = false;
        }
        finally
        {
            counters.Count(ProviderOperation.List, Stopwatch.GetElapsedTime(started), failed);
        }
    }

    public Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) => inner.CheckHealthAsync(cancellationToken);

    private static async Task<bool> Wrap(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }

    private async Task<T> Measure<T>(ProviderOperation operation, long started, Task<T> task)
    {
        try
        {
            var result = await task.ConfigureAwait(false);
            counters.Count(operation, Stopwatch.GetElapsedTime(started), failed: false);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            counters.Count(operation, Stopwatch.GetElapsedTime(started), failed: true);
            throw;
        }
    }
}
