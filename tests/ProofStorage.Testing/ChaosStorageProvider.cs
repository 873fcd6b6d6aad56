using System.Runtime.CompilerServices;
using ProofStorage.Core;
using ProofStorage.Core.Storage;

namespace ProofStorage.Testing;

/// <summary>
/// Wraps a provider and injects failures deterministically: throw (unavailable), hold until released, or corrupt the bytes
/// read. Settings can change while a test runs. Forwards the wrapped provider's <see cref="IObjectMaintenance"/> (when it
/// has one) with the same disturbances, and <see cref="BeforeWrite"/> / <see cref="BeforeDelete"/> let a test hold a write
/// or a delete of one key at a gate.
/// </summary>
public sealed class ChaosStorageProvider(IStorageProvider inner) : IStorageProvider, IObjectMaintenance
{
    private readonly IObjectMaintenance? _maintenance = inner.GetCapability<IObjectMaintenance>();

    public string Name => inner.Name;

    /// <summary>
    /// Runs before every write of an object (create, put, conditional replace) with its key, after the other disturbances:
    /// a test returns a task it completes when the write may go on, to order the write against other calls.
    /// </summary>
    public Func<string, Task>? BeforeWrite { get; set; }

    /// <summary>Runs before every plain delete (<see cref="DeleteAsync"/>, <see cref="RemoveAsync"/>) with its key: a gate, as <see cref="BeforeWrite"/>.</summary>
    public Func<string, Task>? BeforeDelete { get; set; }

    /// <summary>When true every call throws <see cref="StorageUnavailableException"/>.</summary>
    public bool Unavailable { get; set; }

    /// <summary>
    /// When set, every call waits for this task first (or for its cancellation): a provider that stops answering until
    /// the test releases it, e.g. with a <see cref="TaskCompletionSource"/>. Never a sleep: the test decides when.
    /// </summary>
    public Task? Hold { get; set; }

    /// <summary>When true, reads return the bytes with one bit flipped in the middle.</summary>
    public bool CorruptReads { get; set; }

    /// <summary>When set, what the health probe answers (a composite's members, say), whatever else is set.</summary>
    public ProviderHealth? Health { get; set; }

    /// <summary>Runs between the check and the write of a create (to widen races).</summary>
    public Func<Task>? BeforeCreate { get; set; }

    public async Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        var stored = await inner.GetAsync(key, cancellationToken);
        if (stored is null || !CorruptReads)
        {
            return stored;
        }

        var bytes = stored.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x10;
        return stored with { Content = bytes };
    }

    public async Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        if (BeforeCreate is { } hook)
        {
            await hook();
        }

        await Gate(key);
        return await inner.CreateIfAbsentAsync(key, content, metadata, cancellationToken);
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        await Gate(key);
        await inner.PutAsync(key, content, metadata, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        if (BeforeDelete is { } gate)
        {
            await gate(key);
        }

        return await inner.DeleteAsync(key, cancellationToken);
    }

    public async Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        if (BeforeDelete is { } gate)
        {
            await gate(key);
        }

        await inner.RemoveAsync(key, cancellationToken);
    }

    public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        await foreach (var key in inner.ListKeysAsync(prefix, cancellationToken))
        {
            yield return key;
        }
    }

    public async Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) =>
        Health ?? (Unavailable ? new ProviderHealth(false, "chaos: unavailable", TimeSpan.Zero) : await inner.CheckHealthAsync(cancellationToken));

    /// <summary>A decorator: its own capabilities (object maintenance only when the wrapped provider has it), then the wrapped provider's.</summary>
    public T? GetCapability<T>()
        where T : class => typeof(T) == typeof(IObjectMaintenance) ? (_maintenance is null ? null : this as T) : this as T ?? inner.GetCapability<T>();

    public async IAsyncEnumerable<ObjectEntry> ListObjectsAsync(string folder, string? startAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        await foreach (var entry in Maintenance.ListObjectsAsync(folder, startAfter, cancellationToken))
        {
            yield return entry;
        }
    }

    public async Task<byte[]?> ReadPrefixAsync(string key, int length, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        return await Maintenance.ReadPrefixAsync(key, length, cancellationToken);
    }

    public async Task<VersionedObject?> GetVersionedAsync(string key, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        var stored = await Maintenance.GetVersionedAsync(key, cancellationToken);
        if (stored is null || !CorruptReads)
        {
            return stored;
        }

        var bytes = stored.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x10;
        return stored with { Content = bytes };
    }

    public async Task<string?> TryCreateAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        await Gate(key);
        return await Maintenance.TryCreateAsync(key, content, cancellationToken);
    }

    public async Task<string?> TryReplaceAsync(string key, ReadOnlyMemory<byte> content, string expectedVersion, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        await Gate(key);
        return await Maintenance.TryReplaceAsync(key, content, expectedVersion, cancellationToken);
    }

    public async Task<bool> TryDeleteAsync(string key, string expectedVersion, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        return await Maintenance.TryDeleteAsync(key, expectedVersion, cancellationToken);
    }

    private IObjectMaintenance Maintenance => _maintenance ?? throw new NotSupportedException($"{inner.Name} has no object maintenance.");

    private Task Gate(string key) => BeforeWrite is { } gate ? gate(key) : Task.CompletedTask;

    private async Task Disturb(CancellationToken cancellationToken)
    {
        if (Hold is { } hold)
        {
            await hold.WaitAsync(cancellationToken);
        }

        if (Unavailable)
        {
            throw new StorageUnavailableException(Name, "chaos: provider unavailable");
        }
    }
}
