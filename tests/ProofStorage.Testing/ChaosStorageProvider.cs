using System.Runtime.CompilerServices;
using ProofStorage.Core;
using ProofStorage.Core.Storage;

namespace ProofStorage.Testing;

/// <summary>
/// Wraps a provider and injects failures deterministically: throw (unavailable), hold until released, or corrupt the bytes
/// read. Settings can change while a test runs.
/// </summary>
public sealed class ChaosStorageProvider(IStorageProvider inner) : IStorageProvider
{
    public string Name => inner.Name;

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

        return await inner.CreateIfAbsentAsync(key, content, metadata, cancellationToken);
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        await inner.PutAsync(key, content, metadata, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await Disturb(cancellationToken);
        return await inner.DeleteAsync(key, cancellationToken);
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

    /// <summary>A decorator: its own capabilities, then the wrapped provider's.</summary>
    public T? GetCapability<T>()
        where T : class => this as T ?? inner.GetCapability<T>();

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
