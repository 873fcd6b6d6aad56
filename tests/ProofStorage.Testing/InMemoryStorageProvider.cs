using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using ProofStorage.Core.Storage;

namespace ProofStorage.Testing;

/// <summary>A thread-safe in-memory provider with exact create-if-absent semantics; counts calls for assertions.</summary>
public sealed class InMemoryStorageProvider(string name = "memory") : IStorageProvider
{
    private readonly ConcurrentDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private int _gets;
    private int _creates;
    private int _puts;
    private int _deletes;

    public string Name { get; } = name;

    public int Gets => Volatile.Read(ref _gets);

    public int Creates => Volatile.Read(ref _creates);

    public int Puts => Volatile.Read(ref _puts);

    public int Deletes => Volatile.Read(ref _deletes);

    public IReadOnlyDictionary<string, StoredObject> Objects => _objects;

    /// <summary>Replaces the bytes of an object as bit rot would (test helper).</summary>
    public void Overwrite(string key, byte[] content) => _objects[key] = new StoredObject(content, ObjectMetadata.None);

    public Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _gets);
        return Task.FromResult(_objects.TryGetValue(key, out var value) ? value : null);
    }

    public Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _creates);
        return Task.FromResult(_objects.TryAdd(key, new StoredObject(content.ToArray(), metadata)));
    }

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _puts);
        _objects[key] = new StoredObject(content.ToArray(), metadata);
        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _deletes);
        return Task.FromResult(_objects.TryRemove(key, out _));
    }

    public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var key in _objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            yield return key;
        }

        await Task.CompletedTask;
    }

    public Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ProviderHealth(true, "in memory", TimeSpan.Zero));
}
