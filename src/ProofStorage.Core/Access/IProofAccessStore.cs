namespace ProofStorage.Core.Access;

/// <summary>
/// Where the access counts of every instance add up: Redis when it is configured, otherwise the storage provider.
/// Several instances of the service write to one store at the same time; one instance's calls to
/// <see cref="AddAsync"/> and <see cref="CloseAsync"/> do not overlap (its flush is serialised), reads may come any time.
/// </summary>
/// <remarks>
/// Exactness: <see cref="AddAsync"/> adds each delta to its proof's totals exactly once when it succeeds, whatever
/// other instances do at the same moment. A delta returned as failed may or may not have been added (a write whose
/// answer was lost); the caller never retries it, so a count can be short after a failure but is never counted twice.
/// </remarks>
public interface IProofAccessStore
{
    /// <summary>Where the counts go, for statistics (<c>redis</c>, <c>storage</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Adds each delta (one per proof) to that proof's totals: counts summed, "last" times the later of the two. Also
    /// keeps the <paramref name="topCount"/> most-read and most-duplicated proofs up to date. Returns the deltas that
    /// could not be written (empty when all were). Throws only for cancellation.
    /// </summary>
    Task<IReadOnlyList<ProofAccessCounts>> AddAsync(IReadOnlyList<ProofAccessCounts> deltas, int topCount, CancellationToken cancellationToken);

    /// <summary>The totals of one proof as of the last flush of every instance, or <see langword="null"/> when none were recorded.</summary>
    Task<ProofAccessCounts?> GetAsync(string proofId, CancellationToken cancellationToken);

    /// <summary>The most-read and most-duplicated proofs, highest first, at most <paramref name="count"/> of each.</summary>
    Task<AccessRanking> GetTopAsync(int count, CancellationToken cancellationToken);

    /// <summary>Called once when the host stops, after the last flush: releases whatever the store holds for this instance.</summary>
    Task CloseAsync(CancellationToken cancellationToken);
}

/// <summary>How often one proof was read and stored again, and when last: a delta gathered in memory, or the totals.</summary>
/// <param name="ProofId">The native proof id.</param>
/// <param name="Reads">Times the proof was served.</param>
/// <param name="Duplicates">Times its image was stored again (answered with the existing proof).</param>
/// <param name="LastReadAt">The latest read, or <see langword="null"/> when there was none.</param>
/// <param name="LastDuplicateAt">The latest duplicate store, or <see langword="null"/> when there was none.</param>
public sealed record ProofAccessCounts(string ProofId, long Reads, long Duplicates, DateTimeOffset? LastReadAt, DateTimeOffset? LastDuplicateAt)
{
    /// <summary>These counts with <paramref name="delta"/> added: counts summed, each "last" time the later one.</summary>
    public ProofAccessCounts Add(ProofAccessCounts delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return this with
        {
            Reads = Reads + delta.Reads,
            Duplicates = Duplicates + delta.Duplicates,
            LastReadAt = Later(LastReadAt, delta.LastReadAt),
            LastDuplicateAt = Later(LastDuplicateAt, delta.LastDuplicateAt),
        };
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

/// <summary>The proofs read and duplicated most, highest count first.</summary>
public sealed record AccessRanking(IReadOnlyList<RankedProof> MostRead, IReadOnlyList<RankedProof> MostDuplicated)
{
    /// <summary>No proof counted yet.</summary>
    public static AccessRanking Empty { get; } = new([], []);
}

/// <summary>One proof of a ranking and its total.</summary>
public sealed record RankedProof(string ProofId, long Count);

/// <summary>The access tracking of this instance, for <c>/v1/stats</c>.</summary>
/// <param name="Store">Where counts are written (<c>redis</c>, <c>storage</c>).</param>
/// <param name="TrackedProofs">Proofs with counts in memory now, not yet written.</param>
/// <param name="MaxTrackedProofs">The bound on <paramref name="TrackedProofs"/>.</param>
/// <param name="Untracked">Reads and duplicates not attributed to a proof because the in-memory table was full.</param>
/// <param name="Flushes">Batches written since start.</param>
/// <param name="Written">Reads and duplicates this instance has written to the store since start.</param>
/// <param name="FailedFlushes">Flushes in which some counts could not be written.</param>
/// <param name="Lost">Reads and duplicates of failed writes (not retried: never counted twice).</param>
/// <param name="LastFlushAt">When the last batch was written.</param>
/// <param name="Top">The store's ranking as of this instance's last flush.</param>
public sealed record AccessSnapshot(string Store, int TrackedProofs, int MaxTrackedProofs, long Untracked, long Flushes, long Written, long FailedFlushes, long Lost,
    DateTimeOffset? LastFlushAt, AccessRanking Top);
