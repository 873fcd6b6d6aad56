using Microsoft.Extensions.Caching.Memory;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Model;

namespace ProofStorage.Core;

/// <summary>The C2PA lookups of the store: manifest stores by soft binding and by manifest id (the Soft Binding Resolution API's needs).</summary>
/// <remarks>
/// Every lookup lists the value's index folder (<see cref="ManifestIndex"/>) and then reads each candidate proof through
/// the cache levels, keeping only proofs whose own record names the value: the index says where to look, the verified
/// record says what is true. A listing is never cached, so an index object removed by a delete on any instance is gone
/// from the next lookup everywhere. Only the resolution of a manifest id to a proof id is remembered in memory, and it is
/// checked against the proof on every use.
/// </remarks>
public sealed partial class StorageManager
{
    private readonly MemoryCache _manifestIds = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <summary>
    /// The manifest stores carrying <paramref name="binding"/>, one per manifest id, at most <paramref name="maxResults"/>, in
    /// proof id order. A candidate that fails verification is left out (and counted and logged as every integrity failure
    /// is). The documents are the caller's own (dispose them). Throws <see cref="StorageUnavailableException"/> when the provider
    /// cannot list or read.
    /// </summary>
    public async Task<IReadOnlyList<ProofDocument>> FindByBindingAsync(SoftBinding binding, int maxResults, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        var matches = new List<ProofDocument>();
        try
        {
            foreach (var proofId in await _index.ProofIdsAsync(DedupProtocol.BindingPrefix(binding), cancellationToken).ConfigureAwait(false))
            {
                var document = await GetCandidateAsync(proofId, cancellationToken).ConfigureAwait(false);
                if (document?.C2pa is { } identifiers && identifiers.SoftBindings.Contains(binding)
                    && !matches.Exists(m => m.C2pa!.ManifestId == identifiers.ManifestId))
                {
                    matches.Add(document);
                    if (matches.Count == maxResults)
                    {
                        break;
                    }
                }
                else
                {
                    document?.Dispose();
                }
            }
        }
        catch
        {
            DisposeAll(matches);
            throw;
        }

        return matches;
    }

    /// <summary>
    /// The manifest store whose active manifest is <paramref name="manifestId"/> (the first by proof id when several proofs
    /// hold it), or <see langword="null"/>; the caller owns the document. Throws <see cref="ProofIntegrityException"/> when the only candidates fail
    /// verification.
    /// </summary>
    public async Task<ProofDocument?> FindByManifestIdAsync(string manifestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifestId);
        if (_manifestIds.TryGetValue(manifestId, out string? known)
            && await GetAsync(known!, cancellationToken).ConfigureAwait(false) is { } remembered)
        {
            if (remembered.C2pa?.ManifestId == manifestId)
            {
                return remembered;
            }

            remembered.Dispose();
        }

        var candidates = await FindAllByManifestIdAsync(manifestId, firstOnly: true, cancellationToken).ConfigureAwait(false);
        if (candidates.Count == 0)
        {
            ForgetManifestId(manifestId);
            return null;
        }

        var found = candidates[0];
        _manifestIds.Set(manifestId, found.ProofId, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });
        return found;
    }

    /// <summary>
    /// Deletes every proof whose active manifest is <paramref name="manifestId"/>, with its index objects (the Soft Binding
    /// Resolution API's <c>DELETE /manifests/{manifestId}</c>). Returns what was deleted; empty when nothing held it.
    /// </summary>
    public async Task<IReadOnlyList<DeletedProof>> DeleteByManifestIdAsync(string manifestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifestId);
        var deleted = new List<DeletedProof>();
        var documents = await FindAllByManifestIdAsync(manifestId, firstOnly: false, cancellationToken).ConfigureAwait(false);
        var proofIds = documents.Select(d => d.ProofId).ToList();
        DisposeAll(documents);
        foreach (var proofId in proofIds)
        {
            if (await DeleteProofAsync(proofId, cancellationToken).ConfigureAwait(false) is { } proof)
            {
                deleted.Add(proof);
            }
        }

        ForgetManifestId(manifestId);
        return deleted;
    }

    /// <summary>
    /// Makes sure <paramref name="value"/> finds the manifest store whose active manifest is <paramref name="manifestId"/> (the
    /// Soft Binding Resolution API's <c>POST /bindings</c>, which names no algorithm). A binding is the manifest's claim: the
    /// value must be one of the store's recorded bindings (given when it was stored, or declared by its active manifest),
    /// under whichever algorithm it is recorded; its index object is then created if it is missing. Nothing else is ever
    /// bound, so an unsigned request cannot point a watermark at someone else's manifest.
    /// </summary>
    public async Task<AssociationOutcome> AssociateBindingAsync(string manifestId, byte[] value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifestId);
        ArgumentNullException.ThrowIfNull(value);
        var documents = await FindAllByManifestIdAsync(manifestId, firstOnly: false, cancellationToken).ConfigureAwait(false);
        if (documents.Count == 0)
        {
            return AssociationOutcome.ManifestNotFound;
        }

        // The identifiers are all that is needed of the documents: their bytes go back at once.
        var held = documents.Select(d => (d.ProofId, Identifiers: d.C2pa!)).ToList();
        DisposeAll(documents);
        var outcome = AssociationOutcome.NotDeclared;
        foreach (var (proofId, identifiers) in held)
        {
            var declared = identifiers.SoftBindings.Where(b => b.ValueBytes().AsSpan().SequenceEqual(value)).ToList();
            if (declared.Count > 0)
            {
                await _index.CreateAsync(proofId, identifiers with { SoftBindings = declared }, cancellationToken).ConfigureAwait(false);
                outcome = AssociationOutcome.Bound;
            }
        }

        return outcome;
    }

    private async Task<IReadOnlyList<ProofDocument>> FindAllByManifestIdAsync(string manifestId, bool firstOnly, CancellationToken cancellationToken)
    {
        var found = new List<ProofDocument>();
        ProofIntegrityException? failure = null;
        try
        {
            foreach (var proofId in await _index.ProofIdsAsync(DedupProtocol.ManifestPrefix(manifestId), cancellationToken).ConfigureAwait(false))
            {
                ProofDocument? document;
                try
                {
                    document = await GetAsync(proofId, cancellationToken).ConfigureAwait(false);
                }
                catch (ProofIntegrityException ex)
                {
                    failure ??= ex;
                    continue;
                }

                if (document?.C2pa?.ManifestId == manifestId)
                {
                    found.Add(document);
                    if (firstOnly)
                    {
                        break;
                    }
                }
                else
                {
                    document?.Dispose();
                }
            }
        }
        catch
        {
            DisposeAll(found);
            throw;
        }

        // Only damaged copies hold it: say so rather than "not found".
        return found.Count == 0 && failure is not null ? throw failure : found;
    }

    /// <summary>A candidate of a listing, or <see langword="null"/> when it is gone or fails verification (then skipped).</summary>
    private async Task<ProofDocument?> GetCandidateAsync(string proofId, CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync(proofId, cancellationToken).ConfigureAwait(false);
        }
        catch (ProofIntegrityException ex)
        {
            Log.LookupCandidateSkipped(_logger, proofId, ex.Kind);
            return null;
        }
    }

    private void ForgetManifestId(string manifestId) => _manifestIds.Remove(manifestId);

    /// <summary>Gives back the documents of a list this store built (their bytes are freed once nothing else holds them).</summary>
    private static void DisposeAll(IEnumerable<ProofDocument> documents)
    {
        foreach (var document in documents)
        {
            document.Dispose();
        }
    }
}

/// <summary>What <see cref="StorageManager.AssociateBindingAsync"/> did.</summary>
public enum AssociationOutcome
{
    /// <summary>The value finds the manifest store now.</summary>
    Bound,

    /// <summary>No stored manifest store has this active manifest.</summary>
    ManifestNotFound,

    /// <summary>The manifest store does not carry this value, so it is not bound.</summary>
    NotDeclared,
}
