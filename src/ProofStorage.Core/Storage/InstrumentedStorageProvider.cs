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

    internal IStorageProvider Inner => inner;

    public async Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        using var activity = ProofStorageActivities.StartProviderCall(inner.Name, ProviderOperation.Get);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var stored = await inner.GetAsync(key, cancellationToken).ConfigureAwait(false);
            counters.Count(ProviderOperation.Get, started, failed: false);
            return stored;
        }
        catch (Exception ex) when (Failed(ProviderOperation.Get, started, activity, ex))
        {
            throw;
        }
    }

    public async Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        using var activity = ProofStorageActivities.StartProviderCall(inner.Name, ProviderOperation.Put);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var created = await inner.CreateIfAbsentAsync(key, content, metadata, cancellationToken).ConfigureAwait(false);
            counters.Count(ProviderOperation.Put, started, failed: false);
            return created;
        }
        catch (Exception ex) when (Failed(ProviderOperation.Put, started, activity, ex))
        {
            throw;
        }
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        using var activity = ProofStorageActivities.StartProviderCall(inner.Name, ProviderOperation.Put);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await inner.PutAsync(key, content, metadata, cancellationToken).ConfigureAwait(false);
            counters.Count(ProviderOperation.Put, started, failed: false);
        }
        catch (Exception ex) when (Failed(ProviderOperation.Put, started, activity, ex))
        {
            throw;
        }
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        using var activity = ProofStorageActivities.StartProviderCall(inner.Name, ProviderOperation.Delete);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var deleted = await inner.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
            counters.Count(ProviderOperation.Delete, started, failed: false);
            return deleted;
        }
        catch (Exception ex) when (Failed(ProviderOperation.Delete, started, activity, ex))
        {
            throw;
        }
    }

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

    /// <summary>Counts a failure (a cancellation is not the provider's fault); always false, for exception filters.</summary>
    private bool Failed(ProviderOperation operation, long started, Activity? activity, Exception exception)
    {
        if (exception is not OperationCanceledException)
        {
            counters.Count(operation, started, failed: true);
            ProofStorageActivities.Failed(activity, exception);
        }

        // A damaged object the provider itself detected (checksum) is an integrity failure even when a failover pair
        // then serves the other copy.
        if (exception is ProofIntegrityException)
        {
            counters.IntegrityFailure();
        }

        return false;
    }
}
