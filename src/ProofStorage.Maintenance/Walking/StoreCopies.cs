using ProofStorage.Core.Storage;

namespace ProofStorage.Maintenance.Walking;

/// <summary>One copy of the store: a member of a pair (or the store's only provider) with its object maintenance.</summary>
/// <param name="Role"><c>primary</c>, <c>secondary</c>, or <c>store</c> for a single provider.</param>
/// <param name="Provider">The provider as the store uses it (instrumented).</param>
/// <param name="Objects">Its listing, versioned reads and conditional writes.</param>
internal sealed record StoreCopy(string Role, IStorageProvider Provider, IObjectMaintenance Objects);

internal static class StoreCopies
{
    /// <summary>
    /// Every copy the store keeps, in authority order: the members of a composite (through <see cref="IStorageReplicas"/>),
    /// or the provider itself. Throws <see cref="NotSupportedException"/> when a copy cannot be walked.
    /// </summary>
    public static IReadOnlyList<StoreCopy> Of(IStorageProvider store)
    {
        ArgumentNullException.ThrowIfNull(store);
        IReadOnlyList<StorageReplica> replicas = store.GetCapability<IStorageReplicas>()?.Replicas ?? [new StorageReplica("store", store)];
        return [.. replicas.Select(r => new StoreCopy(r.Role, r.Provider, r.Provider.GetCapability<IObjectMaintenance>()
            ?? throw new NotSupportedException($"The provider {r.Provider.Name} ({r.Role}) cannot list and rewrite its objects (IObjectMaintenance).")))];
    }
}
