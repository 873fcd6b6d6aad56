using System.Diagnostics;
using System.Runtime.CompilerServices;
using ProofStorage.Core.Diagnostics;

namespace ProofStorage.Core.Storage;

/// <summary>
/// Counts operations, errors and latency of the provider it wraps (<see cref="ProviderCounters"/>, which also feeds
/// the <c>proofstorage.provider.*</c> instruments) and wraps each call in a span; adds no behaviour. The calls of the
/// wrapped provider's <see cref="IObjectMaintenance"/> (scrub, census, re-encryption) are counted the same way, so their
/// load shows beside the service's own.
/// </summary>
internal sealed class InstrumentedStorageProvider(IStorageProvider inner, ProviderCounters counters) : IStorageProvider, IObjectMaintenance
{
    private readonly IObjectMaintenance? _maintenance = inner.GetCapability<IObjectMaintenance>();

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

    public Task RemoveAsync(string key, CancellationToken cancellationToken) =>
        TimeAsync(ProviderOperation.Delete, key, static async (provider, key, token) =>
        {
            await provider.RemoveAsync(key, token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

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
        where T : class => typeof(T) == typeof(IObjectMaintenance) ? (_maintenance is null ? null : this as T) : this as T ?? inner.GetCapability<T>();

    public async IAsyncEnumerable<ObjectEntry> ListObjectsAsync(string folder, string? startAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            await foreach (var entry in Maintenance.ListObjectsAsync(folder, startAfter, cancellationToken).ConfigureAwait(false))
            {
                yield return entry;
            }

            failed = false;
        }
        finally
        {
            counters.Count(ProviderOperation.List, started, failed);
        }
    }

    public Task<byte[]?> ReadPrefixAsync(string key, int length, CancellationToken cancellationToken) =>
        TimeAsync(ProviderOperation.Get, (key, length, maintenance: Maintenance),
            static (_, call, token) => call.maintenance.ReadPrefixAsync(call.key, call.length, token), cancellationToken);

    public Task<VersionedObject?> GetVersionedAsync(string key, CancellationToken cancellationToken) =>
        TimeAsync(ProviderOperation.Get, (key, maintenance: Maintenance),
            static (_, call, token) => call.maintenance.GetVersionedAsync(call.key, token), cancellationToken);

    public Task<string?> TryCreateAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        TimeAsync(ProviderOperation.Put, (key, content, maintenance: Maintenance),
            static (_, call, token) => call.maintenance.TryCreateAsync(call.key, call.content, token), cancellationToken);

    public Task<string?> TryReplaceAsync(string key, ReadOnlyMemory<byte> content, string expectedVersion, CancellationToken cancellationToken) =>
        TimeAsync(ProviderOperation.Put, (key, content, expectedVersion, maintenance: Maintenance),
            static (_, call, token) => call.maintenance.TryReplaceAsync(call.key, call.content, call.expectedVersion, token), cancellationToken);

    public Task<bool> TryDeleteAsync(string key, string expectedVersion, CancellationToken cancellationToken) =>
        TimeAsync(ProviderOperation.Delete, (key, expectedVersion, maintenance: Maintenance),
            static (_, call, token) => call.maintenance.TryDeleteAsync(call.key, call.expectedVersion, token), cancellationToken);

    private IObjectMaintenance Maintenance => _maintenance ?? throw new NotSupportedException($"The provider {inner.Name} has no object maintenance.");

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
