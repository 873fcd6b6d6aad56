using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Storage;

namespace ProofStorage.Core.Access;

/// <summary>
/// Access counts kept by the storage provider itself (no Redis): each instance of the service writes only objects of
/// its own, and readers sum them. Per proof and instance a small sealed object, <c>access/{proofId}/{slot}</c>, holds
/// what that instance counted; <c>access-top/{slot}</c> holds its most-read and most-duplicated proofs.
/// </summary>
/// <remarks>
/// <para>Why per-instance objects: the provider contract has create-if-absent but no compare-and-swap, and a version
/// chain built on create-if-absent and delete can re-create a deleted version and lose a delta. An object that only
/// one writer ever writes needs no arbitration: the owner reads it, adds its delta and writes it back (a GET and a PUT
/// per proof touched in a flush interval), and the totals are the sum over the proof's objects (a LIST and a GET per
/// object when they are asked for).</para>
/// <para>A slot is the instance's identity in those keys. At its first flush an instance takes the lowest free slot
/// by creating <c>access-slots/{slot}</c> (create-if-absent: two instances never share one) and gives it back when the
/// host stops, so a restarted or replacing instance reuses it and adds to its objects rather than creating new ones.
/// An instance that dies without stopping keeps its slot taken; its counts stay counted. The number of objects per
/// proof is at most the number of slots that ever counted it.</para>
/// <para>Calls do not overlap (the flush is serialised). Sealed like proofs (AES-GCM, the object key as associated
/// data): counts say which images are looked at.</para>
/// </remarks>
internal sealed class ProviderAccessStore : IProofAccessStore
{
    internal const string Prefix = "access/";
    internal const string TopPrefix = "access-top/";
    internal const string SlotPrefix = "access-slots/";
    private const int MaxSlots = 10_000;
    private const int MaxObjectBytes = 1024 * 1024;
    private const int Parallelism = 8;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly IStorageProvider _storage;
    private readonly ProofEnvelopeCodec _codec;
    private readonly ILogger _logger;
    private string? _slot;
    private AccessRanking _slotTop = AccessRanking.Empty;

    public ProviderAccessStore(IStorageProvider storage, ProofEnvelopeCodec codec, ILogger logger)
    {
        _storage = storage;
        _codec = codec;
        _logger = logger;
    }

    public string Name => "storage";

    /// <summary>This instance's slot once it has taken one (at its first flush), else null.</summary>
    internal string? Slot => _slot;

    public async Task<IReadOnlyList<ProofAccessCounts>> AddAsync(IReadOnlyList<ProofAccessCounts> deltas, int topCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        var slot = await TakeSlotAsync(cancellationToken).ConfigureAwait(false);
        var totals = new ProofAccessCounts?[deltas.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, deltas.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var delta = deltas[index];
                var key = Prefix + delta.ProofId + "/" + slot;
                try
                {
                    var current = await ReadAsync(key, ReadCounts, token).ConfigureAwait(false);
                    var next = (current ?? new ProofAccessCounts(delta.ProofId, 0, 0, null, null)).Add(delta);
                    await WriteAsync(key, WriteCounts(next), token).ConfigureAwait(false);
                    totals[index] = next;
                }
                catch (Exception ex) when (ex is StorageUnavailableException or ProofIntegrityException or JsonException)
                {
                    // Not retried: the write may have landed, and counting it twice would be worse than once short.
                    Log.AccessCountsNotWritten(_logger, ex, delta.ProofId, _storage.Name);
                }
            }).ConfigureAwait(false);

        var written = totals.OfType<ProofAccessCounts>().ToList();
        if (written.Count > 0)
        {
            var ranking = Rank(_slotTop, written, topCount);
            try
            {
                await WriteAsync(TopPrefix + slot, JsonSerializer.SerializeToUtf8Bytes(ranking, Json), cancellationToken).ConfigureAwait(false);
                _slotTop = ranking;
            }
            catch (StorageUnavailableException ex)
            {
                // The counts are written; the ranking catches up at this instance's next flush (its list is kept in memory).
                _slotTop = ranking;
                Log.AccessRankingNotWritten(_logger, ex, _storage.Name);
            }
        }

        return [.. deltas.Where((_, index) => totals[index] is null)];
    }

    public async Task<ProofAccessCounts?> GetAsync(string proofId, CancellationToken cancellationToken)
    {
        var folder = Prefix + proofId + "/";
        ProofAccessCounts? sum = null;
        await foreach (var key in _storage.ListKeysAsync(folder, cancellationToken).ConfigureAwait(false))
        {
            if (await ReadAsync(key, ReadCounts, cancellationToken).ConfigureAwait(false) is { } counts)
            {
                sum = sum is null ? counts with { ProofId = proofId } : sum.Add(counts);
            }
        }

        return sum;
    }

    /// <summary>
    /// The instances' lists summed per proof. Exact for a proof on every instance's list (and always with one instance);
    /// a proof missing from some instance's list is ranked by the instances that list it.
    /// </summary>
    public async Task<AccessRanking> GetTopAsync(int count, CancellationToken cancellationToken)
    {
        var lists = new List<AccessRanking>();
        await foreach (var key in _storage.ListKeysAsync(TopPrefix, cancellationToken).ConfigureAwait(false))
        {
            if (await ReadAsync(key, record => JsonSerializer.Deserialize<AccessRanking>(record, Json), cancellationToken).ConfigureAwait(false) is { } ranking)
            {
                lists.Add(ranking);
            }
        }

        return new AccessRanking(Sum(lists.SelectMany(l => l.MostRead), count), Sum(lists.SelectMany(l => l.MostDuplicated), count));
    }

    /// <summary>Gives this instance's slot back (after the last flush), so the next instance to start reuses it.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _slot, null) is { } slot)
        {
            await _storage.DeleteAsync(SlotPrefix + slot, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// This instance's list with its new totals offered: a proof keeps the higher of its listed and offered counts
    /// (totals only grow), the highest <paramref name="topCount"/> stay.
    /// </summary>
    internal static AccessRanking Rank(AccessRanking current, IReadOnlyList<ProofAccessCounts> totals, int topCount) =>
        new(Highest(current.MostRead.Concat(totals.Where(t => t.Reads > 0).Select(t => new RankedProof(t.ProofId, t.Reads))), Math.Max, topCount),
            Highest(current.MostDuplicated.Concat(totals.Where(t => t.Duplicates > 0).Select(t => new RankedProof(t.ProofId, t.Duplicates))), Math.Max, topCount));

    private static List<RankedProof> Sum(IEnumerable<RankedProof> listed, int count) => Highest(listed, (a, b) => a + b, count);

    private static List<RankedProof> Highest(IEnumerable<RankedProof> proofs, Func<long, long, long> combine, int count) =>
        [.. proofs
            .GroupBy(p => p.ProofId, StringComparer.Ordinal)
            .Select(g => new RankedProof(g.Key, g.Select(p => p.Count).Aggregate(combine)))
            .OrderByDescending(p => p.Count).ThenBy(p => p.ProofId, StringComparer.Ordinal)
            .Take(count)];

    /// <summary>The lowest slot no running instance holds, taken with create-if-absent (losing a race moves on to the next).</summary>
    private async Task<string> TakeSlotAsync(CancellationToken cancellationToken)
    {
        if (_slot is { } taken)
        {
            return taken;
        }

        var held = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in _storage.ListKeysAsync(SlotPrefix, cancellationToken).ConfigureAwait(false))
        {
            held.Add(key[SlotPrefix.Length..]);
        }

        for (var number = 0; number < MaxSlots; number++)
        {
            var slot = number.ToString("D4", CultureInfo.InvariantCulture);
            if (held.Contains(slot))
            {
                continue;
            }

            var owner = JsonSerializer.SerializeToUtf8Bytes(new SlotOwner(Environment.MachineName, Environment.ProcessId, DateTimeOffset.UtcNow), Json);
            var key = SlotPrefix + slot;
            if (await _storage.CreateIfAbsentAsync(key, _codec.Seal(owner, key).Envelope, ObjectMetadata.None, cancellationToken).ConfigureAwait(false))
            {
                // A slot given back by an earlier instance: carry on with its list.
                _slotTop = await ReadAsync(TopPrefix + slot, record => JsonSerializer.Deserialize<AccessRanking>(record, Json), cancellationToken)
                    .ConfigureAwait(false) ?? AccessRanking.Empty;
                _slot = slot;
                return slot;
            }
        }

        throw new StorageUnavailableException(_storage.Name,
            $"All {MaxSlots} access-tracking slots under {SlotPrefix} are taken: delete the slots of instances that no longer run.");
    }

    private async Task<T?> ReadAsync<T>(string key, Func<byte[], T?> read, CancellationToken cancellationToken)
        where T : class
    {
        var stored = await _storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : read(_codec.Open(stored.Content.Span, key, MaxObjectBytes).Record);
    }

    private Task WriteAsync(string key, byte[] record, CancellationToken cancellationToken) =>
        _storage.PutAsync(key, _codec.Seal(record, key).Envelope, ObjectMetadata.None, cancellationToken);

    private static ProofAccessCounts ReadCounts(byte[] record)
    {
        var stored = JsonSerializer.Deserialize<StoredCounts>(record, Json) ?? throw new JsonException("empty access record");
        return new ProofAccessCounts(stored.ProofId, stored.Reads, stored.Duplicates, stored.LastReadAt, stored.LastDuplicateAt);
    }

    private static byte[] WriteCounts(ProofAccessCounts counts) =>
        JsonSerializer.SerializeToUtf8Bytes(new StoredCounts(counts.ProofId, counts.Reads, counts.Duplicates, counts.LastReadAt, counts.LastDuplicateAt), Json);

    private sealed record StoredCounts(string ProofId, long Reads, long Duplicates, DateTimeOffset? LastReadAt, DateTimeOffset? LastDuplicateAt);

    private sealed record SlotOwner(string Host, int ProcessId, DateTimeOffset StartedAt);
}
