using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ProofStorage.Core;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ProofStorage.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.UnitTests.Core;

public sealed class StorageManagerTests : IDisposable
{
    private readonly InMemoryStorageProvider _provider = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero));
    private readonly FusionProofCache _cache = new(MsOptions.Create(new CacheOptions()));
    private readonly StorageManager _store;

    public StorageManagerTests()
    {
        _store = Create(_provider, _cache, _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task StoreAsync_NewImage_WritesOneObjectAndReturnsTheRecord()
    {
        var result = await _store.StoreAsync(Command("a", "{\"p\": 1}"), default);

        Assert.False(result.Deduplicated);
        Assert.Equal(1, _provider.Creates);
        Assert.Single(_provider.Objects);
        Assert.Equal(DedupProtocol.ProofKey(result.Document.ProofId), _provider.Objects.Keys.Single());
        Assert.Equal(_time.GetUtcNow(), result.Document.CreatedAt);
        Assert.Contains("\"proof\":{\"p\": 1}", Encoding.UTF8.GetString(result.Document.Json.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreAsync_DuplicateImage_WritesProviderOnce()
    {
        var first = await _store.StoreAsync(Command("a", "{\"v\":1}"), default);
        var second = await _store.StoreAsync(Command("a", "{\"v\":2}"), default);

        Assert.True(second.Deduplicated);
        Assert.Equal(first.Document.ProofId, second.Document.ProofId);
        Assert.Equal(first.Document.Json.ToArray(), second.Document.Json.ToArray());
        Assert.Equal(1, _provider.Creates);
        Assert.Equal(0, _provider.Gets);
        Assert.Equal(1, _store.GetStatistics().Dedup.Hits);
    }

    [Fact]
    public async Task StoreAsync_DuplicateNotInCache_ReturnsTheExistingProof()
    {
        var first = await _store.StoreAsync(Command("a", "{\"v\":1}"), default);
        using var otherCache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using var otherInstance = Create(_provider, otherCache, _time);

        var second = await otherInstance.StoreAsync(Command("a", "{\"v\":2}"), default);

        Assert.True(second.Deduplicated);
        Assert.Equal(first.Document.ProofId, second.Document.ProofId);
        Assert.Contains("\"v\":1", Encoding.UTF8.GetString(second.Document.Json.Span), StringComparison.Ordinal);
        Assert.Single(_provider.Objects);
    }

    [Fact]
    public async Task StoreAsync_200ParallelStoresOfOneImage_StoreExactlyOneProofAndAgreeOnTheId()
    {
        // Separate caches per call so the dedup fast path cannot hide the race: the provider must arbitrate.
        var chaos = new ChaosStorageProvider(_provider) { BeforeCreate = async () => await Task.Yield() };
        var instances = Enumerable.Range(0, 4).Select(_ => new FusionProofCache(MsOptions.Create(new CacheOptions()))).ToArray();
        var stores = instances.Select(cache => Create(chaos, cache, _time)).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => stores[i % stores.Length].StoreAsync(Command("same", $"{{\"caller\":{i}}}"), default))));

        Assert.Single(_provider.Objects);
        Assert.Single(results.Select(r => r.Document.ProofId).Distinct());
        Assert.Single(results, r => !r.Deduplicated);
        Assert.Single(results.Select(r => Encoding.UTF8.GetString(r.Document.Json.Span)).Distinct());
        foreach (var store in stores)
        {
            store.Dispose();
        }

        foreach (var cache in instances)
        {
            cache.Dispose();
        }
    }

    [Fact]
    public async Task GetAsync_AfterStore_ReturnsItFromCacheWithoutProviderRead()
    {
        var stored = await _store.StoreAsync(Command("a", "[1]"), default);

        var byId = await _store.GetAsync(stored.Document.ProofId, default);
        var byImage = await _store.GetByImageAsync(stored.Document.ImageHash!.Value, default);

        Assert.True(stored.Document.SharesBytesWith(byId!));
        Assert.True(stored.Document.SharesBytesWith(byImage!));
        Assert.Equal(0, _provider.Gets);
    }

    [Fact]
    public async Task GetAsync_ColdCache_ReadsAndVerifiesFromProvider()
    {
        var stored = await _store.StoreAsync(Command("a", "[1]"), default);
        using var coldCache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using var cold = Create(_provider, coldCache, _time);

        var read = await cold.GetAsync(stored.Document.ProofId, default);

        Assert.NotNull(read);
        Assert.Equal(stored.Document.Json.ToArray(), read.Json.ToArray());
        Assert.Equal(stored.Document.ETag, read.ETag);
        Assert.Equal(1, _provider.Gets);
    }

    [Fact]
    public async Task GetAsync_CorruptObject_ThrowsIntegrityErrorNeverData()
    {
        var stored = await _store.StoreAsync(Command("a", "[1]"), default);
        var key = DedupProtocol.ProofKey(stored.Document.ProofId);
        var bytes = _provider.Objects[key].Content.ToArray();
        bytes[^3] ^= 0x01;
        _provider.Overwrite(key, bytes);
        using var coldCache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using var cold = Create(_provider, coldCache, _time);

        await Assert.ThrowsAsync<ProofIntegrityException>(() => cold.GetAsync(stored.Document.ProofId, default));
        Assert.Equal(1, cold.GetStatistics().IntegrityFailures);
    }

    [Fact]
    public async Task GetAsync_ObjectMovedUnderAnotherId_IsRejected()
    {
        var a = await _store.StoreAsync(Command("a", "[1]"), default);
        var b = await _store.StoreAsync(Command("b", "[2]"), default);
        _provider.Overwrite(DedupProtocol.ProofKey(b.Document.ProofId), _provider.Objects[DedupProtocol.ProofKey(a.Document.ProofId)].Content.ToArray());
        using var coldCache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using var cold = Create(_provider, coldCache, _time);

        await Assert.ThrowsAsync<ProofIntegrityException>(() => cold.GetAsync(b.Document.ProofId, default));
    }

    [Fact]
    public async Task DeleteAsync_ThenGetAndStoreAgain_CreatesTheProofAnew()
    {
        var first = await _store.StoreAsync(Command("a", "{\"v\":1}"), default);

        Assert.Equal(first.Document.ProofId, (await _store.DeleteAsync(first.Document.ProofId, default))?.ProofId);
        Assert.Null(await _store.GetAsync(first.Document.ProofId, default));
        Assert.Null(await _store.GetByImageAsync(first.Document.ImageHash!.Value, default));
        Assert.Null(await _store.DeleteAsync(first.Document.ProofId, default));

        _time.Advance(TimeSpan.FromMinutes(1));
        var again = await _store.StoreAsync(Command("a", "{\"v\":2}"), default);
        Assert.False(again.Deduplicated);
        Assert.Equal(first.Document.ProofId, again.Document.ProofId);
        Assert.NotEqual(first.Document.ETag, again.Document.ETag);
        Assert.Contains("\"v\":2", Encoding.UTF8.GetString(again.Document.Json.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreAsync_ProviderDown_ThrowsAndStoresNothing()
    {
        var chaos = new ChaosStorageProvider(_provider) { Unavailable = true };
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using var store = Create(chaos, cache, _time);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.StoreAsync(Command("a", "{}"), default));
        Assert.Empty(_provider.Objects);
        Assert.False(cache.TryGet(DedupProtocol.ProofIdFor(ImageHash.Parse(TestKeys.ImageHash("a"))), out _));
    }

    [Fact]
    public async Task StoreAsync_InvalidProofJson_IsAValidationErrorOnTheProofFieldBeforeAnyWrite()
    {
        var error = await Assert.ThrowsAsync<ProofValidationException>(() => _store.StoreAsync(Command("a", "{\"unterminated\":"), default));

        Assert.Equal(["proof"], error.Errors.Keys);
        Assert.Equal(0, _provider.Creates);
    }

    [Fact]
    public async Task StoreAsync_MediaTypeThatDoesNotFitTheProof_IsAValidationErrorOnTheMediaTypeField()
    {
        var command = Command("a", "{\"not\":\"base64\"}") with { ProofMediaType = "application/c2pa" };

        var error = await Assert.ThrowsAsync<ProofValidationException>(() => _store.StoreAsync(command, default));

        Assert.Equal(["proofMediaType"], error.Errors.Keys);
        Assert.Equal(0, _provider.Creates);
    }

    [Fact]
    public async Task StoreAsync_InvalidProofOfAnImageAlreadyCached_IsStillRefused()
    {
        await _store.StoreAsync(Command("a", "[1]"), default);

        // Validity does not depend on what is cached: the duplicate check comes after validation.
        await Assert.ThrowsAsync<ProofValidationException>(() => _store.StoreAsync(Command("a", "[1"), default));
    }

    [Fact]
    public async Task StoreAsync_RecordOverLimit_ThrowsTooLarge()
    {
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using var store = Create(_provider, cache, _time, new ProofStorageOptions { MaxRecordBytes = 2048 });

        await Assert.ThrowsAsync<ProofTooLargeException>(() => store.StoreAsync(Command("a", "\"" + new string('x', 4096) + "\""), default));
        Assert.Empty(_provider.Objects);
        Assert.Equal(0, _provider.Gets);
    }

    [Fact]
    public async Task RegisterAliasAsync_LegacyIdResolvesToTheProof()
    {
        var stored = await _store.StoreAsync(Command("a", "[1]"), default);

        await _store.RegisterAliasAsync("legacy-0001", stored.Document.ProofId, default);
        using var coldCache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using var cold = Create(_provider, coldCache, _time);

        Assert.Equal(stored.Document.ProofId, (await cold.GetAsync("legacy-0001", default))?.ProofId);
        Assert.Null(await cold.GetAsync("legacy-0002", default));
    }

    [Fact]
    public async Task RegisterAliasAsync_IdThatCannotBeALegacyId_IsAValidationError()
    {
        var error = await Assert.ThrowsAsync<ProofValidationException>(() => _store.RegisterAliasAsync("has space", "AAAAAAAAAAAAAAAAAAAAAA", default));

        Assert.Equal(["legacyId"], error.Errors.Keys);
    }

    [Fact]
    public async Task StoreBatchAsync_OneBadItem_DoesNotFailTheOthers()
    {
        var outcomes = await _store.StoreBatchAsync([Command("a", "[1]"), Command("b", "{bad"), Command("c", "[3]")], 4, default);

        Assert.NotNull(outcomes[0].Result);
        Assert.IsType<ProofValidationException>(outcomes[1].Error);
        Assert.NotNull(outcomes[2].Result);
        Assert.Equal(2, _provider.Objects.Count);
    }

    internal static StorageManager Create(ProofStorage.Core.Storage.IStorageProvider provider, IProofCache cache, TimeProvider time,
        ProofStorageOptions? options = null) =>
        new(provider, new ProofEnvelopeCodec(TestKeys.Ring()), cache, new StorageStatistics(), time,
            MsOptions.Create(options ?? new ProofStorageOptions()), NullLogger<StorageManager>.Instance);

    internal static StoreProofCommand Command(string image, string proof, Dictionary<string, string>? metadata = null) =>
        new(ImageHash.Parse(TestKeys.ImageHash(image)), Encoding.UTF8.GetBytes(proof), metadata);
}
