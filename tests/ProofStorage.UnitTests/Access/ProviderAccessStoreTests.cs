using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using ProofStorage.Core.Access;
using ProofStorage.Core.Codec;
using ProofStorage.Testing;

namespace ProofStorage.UnitTests.Access;

public sealed class ProviderAccessStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private readonly InMemoryStorageProvider _provider = new();

    [Fact]
    public async Task AddAsync_ManyInstancesFlushingOneProofAtOnce_AddsEveryDeltaExactlyOnce()
    {
        // Eight instances (stores over one provider) each flush the same proof 25 times, all at once.
        var stores = Enumerable.Range(0, 8).Select(_ => Store()).ToList();
        await Task.WhenAll(stores.Select((store, instance) => Task.Run(async () =>
        {
            for (var flush = 0; flush < 25; flush++)
            {
                var failed = await store.AddAsync([new ProofAccessCounts("hot", 3, 1, T0.AddSeconds(instance), T0.AddSeconds(flush))], 10, default);
                Assert.Empty(failed);
            }
        })));

        var totals = await Store().GetAsync("hot", default);

        Assert.Equal(new ProofAccessCounts("hot", 8 * 25 * 3, 8 * 25, T0.AddSeconds(7), T0.AddSeconds(24)), totals);
        Assert.Equal(8, stores.Select(s => s.Slot).Distinct().Count());
        Assert.Equal(8, _provider.Objects.Keys.Count(k => k.StartsWith("access/hot/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CloseAsync_GivesTheSlotBack_SoTheNextInstanceAddsToTheSameObjects()
    {
        var first = Store();
        await first.AddAsync([Counts("reused", 2, 0)], 10, default);
        var slot = first.Slot;
        await first.CloseAsync(default);

        var next = Store();
        await next.AddAsync([Counts("reused", 5, 1)], 10, default);

        Assert.Equal(slot, next.Slot);
        Assert.Single(_provider.Objects.Keys, k => k.StartsWith("access/reused/", StringComparison.Ordinal));
        Assert.Equal(7, (await next.GetAsync("reused", default))!.Reads);
        Assert.Equal([new RankedProof("reused", 7)], (await next.GetTopAsync(10, default)).MostRead);
    }

    [Fact]
    public async Task GetTopAsync_SumsTheInstancesLists()
    {
        var a = Store();
        var b = Store();
        await a.AddAsync([Counts("x", 5, 0), Counts("y", 4, 0)], 10, default);
        await b.AddAsync([Counts("y", 3, 0)], 10, default);

        Assert.Equal([new RankedProof("y", 7), new RankedProof("x", 5)], (await a.GetTopAsync(10, default)).MostRead);
    }

    [Fact]
    public async Task AddAsync_KeepsTheRankingOfTheHighestTotals()
    {
        var store = Store();
        await store.AddAsync([Counts("a", 5, 0), Counts("b", 1, 2), Counts("c", 3, 0)], 2, default);
        await store.AddAsync([Counts("b", 6, 0), Counts("d", 2, 9)], 2, default);

        var top = await store.GetTopAsync(2, default);

        Assert.Equal([new RankedProof("b", 7), new RankedProof("a", 5)], top.MostRead);
        Assert.Equal([new RankedProof("d", 9), new RankedProof("b", 2)], top.MostDuplicated);
    }

    [Fact]
    public async Task GetAsync_ProofNeverCounted_IsNull()
    {
        Assert.Null(await Store().GetAsync("nobody", default));
        Assert.Equal(AccessRanking.Empty.MostRead, (await Store().GetTopAsync(10, default)).MostRead);
    }

    [Fact]
    public async Task AddAsync_WritesSealedObjects()
    {
        await Store().AddAsync([Counts("sealed", 12345, 0)], 10, default);

        Assert.All(_provider.Objects, pair =>
        {
            var text = Encoding.Latin1.GetString(pair.Value.Content.Span);
            Assert.DoesNotContain("12345", text, StringComparison.Ordinal);
            Assert.DoesNotContain("reads", text, StringComparison.Ordinal);
        });
        Assert.Equal(12345, (await Store().GetAsync("sealed", default))!.Reads);
    }

    [Fact]
    public void Rank_AProofTrimmedEarlier_ComesBackWithItsExactTotal()
    {
        var ranking = new AccessRanking([new RankedProof("x", 10), new RankedProof("y", 8)], []);

        // z was trimmed once with fewer; its new total (11) ranks it first, y drops off.
        var ranked = ProviderAccessStore.Rank(ranking, [Counts("z", 11, 0), Counts("x", 10, 0)], 2);

        Assert.Equal([new RankedProof("z", 11), new RankedProof("x", 10)], ranked.MostRead);
    }

    private ProviderAccessStore Store() => new(_provider, new ProofEnvelopeCodec(TestKeys.Ring()), NullLogger.Instance);

    private static ProofAccessCounts Counts(string id, long reads, long duplicates) => new(id, reads, duplicates, T0, T0);
}
