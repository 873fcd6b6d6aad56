using System.Diagnostics.CodeAnalysis;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Model;

namespace ProofStorage.Migrate.Hosting;

/// <summary>
/// No cache at all. The migration reads each proof once, and <c>--verify</c> must read what the provider holds,
/// not the document the store just put in its L1; so every read goes to the provider through the verified path.
/// </summary>
internal sealed class PassThroughProofCache : IProofCache
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
