using System.Globalization;
using Microsoft.Extensions.Logging;
using ProofStorage.Core;
using ProofStorage.Core.Access;
using StackExchange.Redis;

namespace ProofStorage.Caching.Redis;

/// <summary>
/// Access counts in the shared Redis: per proof a hash <c>{KeyPrefix}access:{proofId}</c> (<c>reads</c>,
/// <c>duplicates</c>, <c>lastRead</c>, <c>lastDuplicate</c> in Unix milliseconds) and two sorted sets,
/// <c>{KeyPrefix}access:top:reads</c> and <c>…:top:duplicates</c>, holding the proofs with the highest totals.
/// </summary>
/// <remarks>
/// <para>One small script per proof adds its delta (<c>HINCRBY</c> is atomic, so instances flushing the same proof
/// at once both count) and keeps the later "last" time; it returns the new totals, which go into the sorted sets with
/// <c>ZADD GT</c> (a total only grows, so an older answer arriving late cannot lower it) before each set is trimmed to
/// the top count. Every command touches one key, so it also works on a Redis Cluster. Commands are pipelined in
/// chunks, so a large flush does not queue past the client's operation timeout.</para>
/// <para>These keys have no expiry: give Redis a <c>volatile-*</c> eviction policy (the cache's entries all expire)
/// or room for them, or an <c>allkeys-lru</c> Redis may evict counts. See docs/caching.md.</para>
/// </remarks>
internal sealed class RedisProofAccessStore : IProofAccessStore
{
    private const int Chunk = 500;

    private const string AddScript = """
        local r = redis.call('HINCRBY', KEYS[1], 'reads', ARGV[1])
        local d = redis.call('HINCRBY', KEYS[1], 'duplicates', ARGV[2])
        if ARGV[3] ~= '' and tonumber(ARGV[3]) > tonumber(redis.call('HGET', KEYS[1], 'lastRead') or '0') then
          redis.call('HSET', KEYS[1], 'lastRead', ARGV[3])
        end
        if ARGV[4] ~= '' and tonumber(ARGV[4]) > tonumber(redis.call('HGET', KEYS[1], 'lastDuplicate') or '0') then
          redis.call('HSET', KEYS[1], 'lastDuplicate', ARGV[4])
        end
        return {r, d}
        """;

    private readonly RedisConnection _connection;
    private readonly string _prefix;
    private readonly RedisKey _topReads;
    private readonly RedisKey _topDuplicates;
    private readonly ILogger _logger;

    public RedisProofAccessStore(RedisConnection connection, string keyPrefix, ILogger logger)
    {
        _connection = connection;
        _prefix = keyPrefix + "access:";
        _topReads = _prefix + "top:reads";
        _topDuplicates = _prefix + "top:duplicates";
        _logger = logger;
    }

    public string Name => "redis";

    public async Task<IReadOnlyList<ProofAccessCounts>> AddAsync(IReadOnlyList<ProofAccessCounts> deltas, int topCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        var database = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        var failed = new List<ProofAccessCounts>();
        foreach (var chunk in deltas.Chunk(Chunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var adds = chunk.Select(delta => AddOneAsync(database, delta)).ToArray();
            await ((Task)Task.WhenAll(adds)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            var ranked = new List<Task>();
            for (var i = 0; i < chunk.Length; i++)
            {
                if (!adds[i].IsCompletedSuccessfully)
                {
                    // The script may or may not have run: not retried, so it is never counted twice.
                    Log.AccessCountsNotAdded(_logger, adds[i].Exception?.InnerException, chunk[i].ProofId);
                    failed.Add(chunk[i]);
                    continue;
                }

                var totals = adds[i].Result;
                if (chunk[i].Reads > 0)
                {
                    ranked.Add(database.SortedSetAddAsync(_topReads, chunk[i].ProofId, totals[0], SortedSetWhen.GreaterThan));
                }

                if (chunk[i].Duplicates > 0)
                {
                    ranked.Add(database.SortedSetAddAsync(_topDuplicates, chunk[i].ProofId, totals[1], SortedSetWhen.GreaterThan));
                }
            }

            // Lowest first: everything below the top count goes. A proof trimmed here had fewer than every proof kept,
            // and comes back with its exact total when it is touched again.
            ranked.Add(database.SortedSetRemoveRangeByRankAsync(_topReads, 0, -(topCount + 1)));
            ranked.Add(database.SortedSetRemoveRangeByRankAsync(_topDuplicates, 0, -(topCount + 1)));
            await Task.WhenAll(ranked).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return failed;
    }

    public async Task<ProofAccessCounts?> GetAsync(string proofId, CancellationToken cancellationToken)
    {
        var database = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        RedisValue[] values;
        try
        {
            values = await database.HashGetAsync(HashKey(proofId), ["reads", "duplicates", "lastRead", "lastDuplicate"]).ConfigureAwait(false);
        }
        catch (RedisException ex)
        {
            throw Unavailable(ex);
        }

        if (values[0].IsNull && values[1].IsNull)
        {
            return null;
        }

        return new ProofAccessCounts(proofId, (long)values[0], (long)values[1], Time(values[2]), Time(values[3]));
    }

    public async Task<AccessRanking> GetTopAsync(int count, CancellationToken cancellationToken)
    {
        var database = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
        var reads = database.SortedSetRangeByRankWithScoresAsync(_topReads, 0, count - 1, Order.Descending);
        var duplicates = database.SortedSetRangeByRankWithScoresAsync(_topDuplicates, 0, count - 1, Order.Descending);
        try
        {
            return new AccessRanking(Ranked(await reads.ConfigureAwait(false)), Ranked(await duplicates.ConfigureAwait(false)));
        }
        catch (RedisException ex)
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>Redis away while counts are asked for: the same 503 a provider that is away gives.</summary>
    private static StorageUnavailableException Unavailable(RedisException ex) =>
        new("redis", "The access counts in Redis cannot be read now: " + ex.Message, ex);

    /// <summary>One proof's delta; the new totals (reads, duplicates). Asynchronous all through, so a client error is a failed task.</summary>
    private async Task<long[]> AddOneAsync(IDatabase database, ProofAccessCounts delta)
    {
        var result = await database.ScriptEvaluateAsync(AddScript, [HashKey(delta.ProofId)],
            [delta.Reads, delta.Duplicates, UnixMilliseconds(delta.LastReadAt), UnixMilliseconds(delta.LastDuplicateAt)]).ConfigureAwait(false);
        return (long[])result!;
    }

    /// <summary>Nothing is held per instance in Redis.</summary>
    public Task CloseAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private RedisKey HashKey(string proofId) => _prefix + proofId;

    private static List<RankedProof> Ranked(SortedSetEntry[] entries) =>
        [.. entries.Select(e => new RankedProof(e.Element!, (long)e.Score))];

    private static RedisValue UnixMilliseconds(DateTimeOffset? time) =>
        time is { } value ? value.ToUnixTimeMilliseconds() : RedisValue.EmptyString;

    private static DateTimeOffset? Time(RedisValue value) =>
        value.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)value!, NumberStyles.Integer, CultureInfo.InvariantCulture));
}
