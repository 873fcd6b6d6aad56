using System.Diagnostics;
using System.Runtime.CompilerServices;
using ProofStorage.Core.Diagnostics;

namespace ProofStorage.Core.Storage;

/// <summary>
/// Counts operations, errors and latency of the provider it wraps (<see cref="ProviderCounters"/>, which also feeds
/// the <c>proofstorage.provider.*</c> instruments) and wraps each call in a span; adds no behaviour.
/// </summary>
internal sealed class InstrumentedStorageProvider(IStorageProvider inner, ProviderCounters counters) : IStorageProvider
{
    public string Name => inner.Name;

    public Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken) =>
        TimeAsync(ProviderOperation.Get, key, static (provider, key, token) => provider.GetAsync(key, token), cancellationToken);

    public Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken) =>
        TimeAsync(ProviderOperation.Put, (key, content, metadata),
            static (provider, call, token) => provider.CreateIfAbsentAsync(call.key, call.content, call.metadata, token), cancellationToken);

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken) =>
        TimeAsync(ProviderOperation.Put, (key, content, metadata), static async (provider, call, token) =>
        {
            await provider.PutAsync(call.key, call.content, call.metadata, token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) =>
        TimeAsync(ProviderOperation.Delete, key, static (provider, key, token) => provider.DeleteAsync(key, token), cancellationToken);

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
            counters.Count(ProviderOperation.List, started, failed);
        }
    }

    public Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) => inner.CheckHealthAsync(cancellationToken);

    public T? GetCapability<T>()
        where T : class => this as T ?? inner.GetCapability<T>();

    /// <summary>
    /// Runs one call of the wrapped provider inside a span and counts it; a failure is counted (and recorded on the
    /// span) unless it is a cancellation, which is not the provider's fault. The state is passed through so the
    /// static lambdas of the callers allocate no closure per call.
    /// </summary>
    private async Task<TResult> TimeAsync<TState, TResult>(ProviderOperation operation, TState state,
        Func<IStorageProvider, TState, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
    {
        using var activity = ProofStorageActivities.StartProviderCall(inner.Name, operation);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call(inner, state, cancellationToken).ConfigureAwait(false);
            counters.Count(operation, started, failed: false);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            counters.Count(operation, started, failed: true);
            ProofStorageActivities.Failed(activity, ex);

            // A damaged object the provider itself detected (checksum) is an integrity failure even when a failover pair
            // then serves the other copy.
            if (ex is ProofIntegrityException)
            {
                counters.IntegrityFailure();
            }

            throw;
        }
    }
}
