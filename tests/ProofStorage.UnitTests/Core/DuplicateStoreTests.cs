using Microsoft.Extensions.Time.Testing;
using ProofStorage.Core.Buffers;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Options;
using ProofStorage.Testing;
using ProofStorage.UnitTests.Caching;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.UnitTests.Core;

/// <summary>
/// A duplicate of a proof this instance holds in L1 is answered from L1: no record is built, nothing is compressed or
/// encrypted (each of those happens only in <c>ProofWritePipeline.Prepare</c>, inside the one native block it allocates,
/// so "no block allocated" means "none of them ran"), and the provider is not called at all.
/// <see cref="NativeBuffer.AllocatedBlocks"/> is process-wide, so this runs with the other native-memory tests, alone.
/// </summary>
[Collection(NativeMemoryTestGroup.Name)]
public sealed class DuplicateStoreTests
{
    [Fact]
    public async Task StoreAsync_DuplicateOfAProofInL1_BuildsNothing_AndMakesNoProviderCall()
    {
        var provider = new InMemoryStorageProvider();
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using var store = StorageManagerTests.Create(provider, cache, new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        var first = await store.StoreAsync(StorageManagerTests.Command("dup", "{\"v\":1}"), default);
        Assert.False(first.Deduplicated);
        first.Document.Dispose();

        var (creates, gets, blocks) = (provider.Creates, provider.Gets, NativeBuffer.AllocatedBlocks);

        var duplicate = await store.StoreAsync(StorageManagerTests.Command("dup", "{\"v\":2}"), default);
        using var answered = duplicate.Document;

        Assert.True(duplicate.Deduplicated);
        Assert.Contains("\"v\":1", System.Text.Encoding.UTF8.GetString(duplicate.Document.Json.Span), StringComparison.Ordinal);
        Assert.Equal(blocks, NativeBuffer.AllocatedBlocks);
        Assert.Equal(creates, provider.Creates);
        Assert.Equal(gets, provider.Gets);
        Assert.True(cache.TryPeek(duplicate.Document.ProofId, out var cached));
        using (cached)
        {
            Assert.True(cached.SharesBytesWith(duplicate.Document), "the answer is the cached bytes, not a copy");
        }
    }
}
