using System.Diagnostics.CodeAnalysis;
using ProofStorage.Core.Model;

namespace ProofStorage.Core.Caching;

/// <summary>
/// No cache at all: every lookup runs its load, nothing is kept, stores and removals do nothing. For a host that
/// must read what the provider holds rather than what it just wrote, such as the migration (it reads each proof
/// once, and <c>--verify</c> must check the stored object through the verified read path). Registered before
/// <c>AddProofStorageCore</c> it replaces the L1 (the Core registers its cache with <c>TryAdd</c>). Thread-safe.
/// </summary>
public sealed class PassThroughProofCache : IProofCache
{
    public bool TryGet(string proofId, [NotNullWhen(true)] out ProofDocument? document)
    {
        document = null;
        return false;
    }

    public bool TryPeek(string proofId, [NotNullWhen(true)] out ProofDocument? document)
    {
        document = null;
        return false;
    }

    public Task<ProofDocument?> GetOrLoadAsync(string proofId, Func<string, CancellationToken, Task<ProofDocument?>> load,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        return load(proofId, cancellationToken);
    }

    public Task SetAsync(ProofDocument document, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RemoveAsync(string proofId, CancellationToken cancellationToken) => Task.CompletedTask;

    public CacheSnapshot Snapshot() => new([new CacheLevelSnapshot("none", 0, 0, 0, 0, 0, 0, 0)]);
}
