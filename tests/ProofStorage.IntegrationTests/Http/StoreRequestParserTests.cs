using System.Text;
using System.Text.Json;
using ProofStorage.Api;
using ProofStorage.Api.Http;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Http;

/// <summary>
/// What a store body may make the parser hold: nothing in proportion to the items or entries past a limit. The bounds
/// are managed bytes allocated on the parsing thread (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), which do not
/// depend on the machine's speed or load.
/// </summary>
public sealed class StoreRequestParserTests
{
    private static readonly ApiOptions Limits = new() { MaxBatchItems = 3 };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Batch_UpToTheLimit_GivesEveryItem(int count)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        var items = StoreRequestParser.ParseBatch(Batch(Enumerable.Repeat(Item("a"), count)), 64, Limits, errors);

        Assert.Equal(count, items!.Count);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Batch_WithoutItems_OrOverTheLimit_IsRefusedForItsCount(int count)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        Assert.Null(StoreRequestParser.ParseBatch(Batch(Enumerable.Repeat(Item("a"), count)), 64, Limits, errors));
        Assert.Equal(["A batch holds 1-3 items."], errors["items"]);
    }

    [Fact]
    public void Batch_ItemsPastTheLimit_AreStillWalked_SoMalformedJsonThereIsMalformed()
    {
        var body = Encoding.UTF8.GetBytes("{\"items\":[{},{},{},{},{\"a\":1,\"a\":2}]}");

        Assert.Throws<RepeatedPropertyException>(() => StoreRequestParser.ParseBatch(body, 64, Limits, []));
    }

    [Fact]
    public void Batch_OfManyItemsPastTheLimit_AllocatesNothingPerItem()
    {
        // 1,000,000 empty items (3 MB): read into commands, each held an error dictionary until the count refused the
        // batch, 314 MB for this body (970 MB for a 9 MB one). Past the limit they are walked only.
        var body = Batch(Enumerable.Repeat("{}", 1_000_000));
        StoreRequestParser.ParseBatch(Batch(Enumerable.Repeat("{}", 10)), 64, Limits, []); // first-call costs are not the body's

        var before = GC.GetAllocatedBytesForCurrentThread();
        var items = StoreRequestParser.ParseBatch(body, 64, Limits, []);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Null(items);
        Assert.True(allocated < 64 * 1024, $"parsing 1,000,000 items past a limit of 3 allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Metadata_OverTheEntryLimit_StopsAtTheLimit_RefusedEntriesCountingToo()
    {
        // 100,000 entries that are not strings: each was its own problem (and a million a 37 MB answer), since only
        // accepted entries counted towards the limit. Every entry counts now, so the problems stop at the limit.
        var limits = new ApiOptions { MaxMetadataEntries = 3 };
        var entries = string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"\"k{i}\":{i}"));
        var body = Encoding.UTF8.GetBytes(Item("a")[..^1] + ",\"metadata\":{" + entries + "}}");
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        Assert.Null(StoreRequestParser.ParseSingle(body, 64, limits, errors));

        Assert.Equal(["metadata['k0'] must be a string.", "metadata['k1'] must be a string.", "metadata['k2'] must be a string.",
            "metadata has more than 3 entries."], errors["metadata"]);
    }

    [Fact]
    public void Metadata_AtTheEntryLimit_IsAccepted()
    {
        var limits = new ApiOptions { MaxMetadataEntries = 3 };
        var body = Encoding.UTF8.GetBytes(Item("a")[..^1] + ",\"metadata\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}}");
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        var command = StoreRequestParser.ParseSingle(body, 64, limits, errors);

        Assert.Empty(errors);
        Assert.Equal(3, command!.Metadata!.Count);
    }

    private static string Item(string image) => $"{{\"imageHash\":\"{TestKeys.ImageHash(image)}\",\"proof\":{{}}}}";

    private static byte[] Batch(IEnumerable<string> items) => Encoding.UTF8.GetBytes("{\"items\":[" + string.Join(",", items) + "]}");
}
