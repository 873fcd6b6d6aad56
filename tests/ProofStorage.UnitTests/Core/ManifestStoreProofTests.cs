using System.Text;
using Microsoft.Extensions.Time.Testing;
using ProofStorage.Core;
using ProofStorage.Core.C2pa;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ProofStorage.Core.Storage;
using ProofStorage.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.UnitTests.Core;

/// <summary>The second kind of proof in the one write pipeline: a C2PA manifest store as its raw bytes, and its index.</summary>
public sealed class ManifestStoreProofTests : IDisposable
{
    private const string Watermark = "com.digimarc.validate.1";
    private static readonly byte[] WatermarkValue = [1, 2, 3, 4];
    private readonly InMemoryStorageProvider _provider = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.Zero));
    private readonly FusionProofCache _cache = new(MsOptions.Create(new CacheOptions()));
    private readonly StorageManager _store;

    public ManifestStoreProofTests()
    {
        _store = StorageManagerTests.Create(_provider, _cache, _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task StoreAsync_ManifestStore_KeepsItsBytes_AndIndexesItsManifestIdAndBindings()
    {
        var label = Jumbf.NewLabel();
        var bytes = Jumbf.ManifestStoreBytes(label, 0, (Watermark, WatermarkValue));
        var given = Binding("com.adobe.trustmark.Q", "qg==");

        var result = await _store.StoreAsync(Manifest("a", bytes, given), default);

        Assert.False(result.Deduplicated);
        var document = result.Document;
        Assert.Equal(ProofRecordFormat.Binary, document.Format);
        Assert.Equal(DedupProtocol.ProofIdFor(Hash("a")), document.ProofId);
        Assert.Equal(bytes, document.ReadContent().Content.ToArray());
        Assert.Equal(ProofMediaTypes.C2pa, document.ReadContent().MediaType);
        Assert.Equal(new C2paIdentifiers(label, [given, Binding(Watermark, Convert.ToBase64String(WatermarkValue))]), document.C2pa);
        Assert.Equal(
            new[]
            {
                DedupProtocol.BindingKey(given, document.ProofId),
                DedupProtocol.BindingKey(Binding(Watermark, "AQIDBA=="), document.ProofId),
                DedupProtocol.ManifestKey(label, document.ProofId),
                DedupProtocol.ProofKey(document.ProofId),
            }.Order(StringComparer.Ordinal),
            _provider.Objects.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EveryObjectAStoreWrites_IsSealed_NoManifestBytesNoLabelNoBindingValueInTheClear()
    {
        var label = Jumbf.NewLabel();
        var value = Encoding.ASCII.GetBytes("WATERMARK-PLAINTEXT");
        await _store.StoreAsync(Manifest("a", Jumbf.ManifestStoreBytes(label, 0, (Watermark, value))), default);

        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        foreach (var (key, stored) in _provider.Objects)
        {
            var bytes = stored.Content.ToArray();
            Assert.True(bytes.AsSpan().IndexOf("jumb"u8) < 0 && bytes.AsSpan().IndexOf("c2pa"u8) < 0, key);
            Assert.True(bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(label)) < 0, key);
            Assert.True(bytes.AsSpan().IndexOf(value) < 0 && bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToBase64String(value))) < 0, key);
            Assert.DoesNotContain(label, key, StringComparison.Ordinal);
            codec.Open(bytes, key, 1 << 20); // an envelope sealed for its own key
        }
    }

    [Fact]
    public async Task IndexObjects_OpenAsWhatTheyIndex_AndMovedUnderAnotherKeyTheyDoNot()
    {
        var label = Jumbf.NewLabel();
        var stored = await _store.StoreAsync(Manifest("a", Jumbf.ManifestStoreBytes(label, 0, (Watermark, WatermarkValue))), default);
        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        var bindingKey = DedupProtocol.BindingKey(Binding(Watermark, "AQIDBA=="), stored.Document.ProofId);
        var manifestKey = DedupProtocol.ManifestKey(label, stored.Document.ProofId);

        Assert.Equal(new IndexEntry(stored.Document.ProofId, Binding(Watermark, "AQIDBA=="), null),
            ManifestIndex.Open(codec, bindingKey, _provider.Objects[bindingKey].Content.Span, 1 << 20));
        Assert.Equal(new IndexEntry(stored.Document.ProofId, null, label),
            ManifestIndex.Open(codec, manifestKey, _provider.Objects[manifestKey].Content.Span, 1 << 20));
        Assert.Throws<ProofIntegrityException>(() => ManifestIndex.Open(codec, manifestKey, _provider.Objects[bindingKey].Content.Span, 1 << 20));
    }

    [Fact]
    public async Task StoreAsync_WithoutImageHash_IsNamedByTheManifestId_AndTheSameManifestIsOneProof()
    {
        var label = Jumbf.NewLabel();
        var bytes = Jumbf.ManifestStoreBytes(label);

        var first = await _store.StoreAsync(StoreProofCommand.ForManifestStore(null, bytes, null), default);
        var second = await _store.StoreAsync(StoreProofCommand.ForManifestStore(null, bytes, null), default);

        Assert.Equal(DedupProtocol.ProofIdForManifest(label), first.Document.ProofId);
        Assert.Null(first.Document.ImageHash);
        Assert.True(second.Deduplicated);
        Assert.Equal(first.Document.ProofId, second.Document.ProofId);
    }

    [Fact]
    public async Task StoreAsync_NotAManifestStore_ThrowsTheReadersException_AndWritesNothing()
    {
        var error = await Assert.ThrowsAsync<ManifestStoreFormatException>(
            () => _store.StoreAsync(Manifest("a", Jumbf.Box("json", "{\"a\":1}"u8)), default));

        Assert.Equal(ManifestStoreFormatError.NotAManifestStore, error.Error);
        Assert.Empty(_provider.Objects);
        Assert.Equal(0, _provider.Creates);
    }

    [Fact]
    public async Task StoreAsync_MoreBindingsThanAProofCarries_IsAValidationError_AndWritesNothing()
    {
        var given = Enumerable.Range(0, SoftBinding.MaxPerProof).Select(i => Binding(Watermark, Convert.ToBase64String(BitConverter.GetBytes(i)))).ToList();
        var bytes = Jumbf.ManifestStoreBytes(null, 0, (Watermark, WatermarkValue)); // one more, declared by the manifest

        var error = await Assert.ThrowsAsync<ProofValidationException>(() => _store.StoreAsync(Manifest("a", bytes, [.. given]), default));

        Assert.Equal([ProofWritePipeline.SoftBindingField], error.Errors.Keys);
        Assert.Empty(_provider.Objects);
    }

    [Fact]
    public void SoftBindingsOf_StopsReadingDeclaredValues_AtTheFirstBindingPastTheLimit()
    {
        // 20,000 distinct declared values (a 400 KB manifest; 10 MB holds 500,000): each checked against every earlier one
        // was 2e8 comparisons here, about 14 minutes of CPU at 10 MB. Collecting stops at the first binding past the limit,
        // where the store is refused anyway: 16 declared values read, not 20,000.
        var given = new[] { Binding(Watermark, "AQIDBA==") };
        var pulled = 0;
        IEnumerable<C2paSoftBinding> Declared()
        {
            for (var i = 0; i < 20_000; i++)
            {
                pulled++;
                yield return new C2paSoftBinding(Watermark, Convert.ToBase64String(BitConverter.GetBytes(i)), ValueIsText: false);
            }
        }

        var bindings = ProofWritePipeline.SoftBindingsOf(given, Declared());

        Assert.Equal(SoftBinding.MaxPerProof + 1, bindings.Count);
        Assert.Equal(SoftBinding.MaxPerProof, pulled);
        Assert.Equal(given[0], bindings[0]);
    }

    [Fact]
    public void SoftBindingsOf_RepeatedValues_CountOnce_SoAManifestRepeatingOneValueIsWithinTheLimit()
    {
        var value = Convert.ToBase64String(WatermarkValue);
        var declared = Enumerable.Repeat(new C2paSoftBinding(Watermark, value, ValueIsText: false), 10_000);

        Assert.Equal([Binding(Watermark, value)], ProofWritePipeline.SoftBindingsOf([Binding(Watermark, value)], declared));
    }

    [Fact]
    public async Task DeclaredBindings_OfAnUnknownAlgorithm_OrNotBase64_AreNotIndexed_AndASameGivenOneIsIndexedOnce()
    {
        var bytes = Jumbf.ManifestStoreBytes(null, 0, ("com.example.not-on-the-list.1", WatermarkValue), (Watermark, WatermarkValue));

        var stored = await _store.StoreAsync(Manifest("a", bytes, Binding(Watermark, "AQIDBA==")), default);

        Assert.Equal([Binding(Watermark, "AQIDBA==")], stored.Document.C2pa!.SoftBindings);
        Assert.Single(_provider.Objects.Keys, k => k.StartsWith(DedupProtocol.BindingsPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ManifestStoreRecordExactlyAtTheLimit_IsAccepted_AndOneByteOverIsNot()
    {
        var command = Manifest("a", Jumbf.ManifestStoreBytes(null, 2000));
        var length = Pipeline().Validate(command).RecordLength;

        Assert.Equal(length, Pipeline((int)length).Prepare(Pipeline((int)length).Validate(command)).Record.Length);
        var error = Assert.Throws<ProofTooLargeException>(() => Pipeline((int)length - 1).Validate(command));
        Assert.Equal(length, error.Size);
    }

    [Fact]
    public void Prepare_ManifestStore_WritesItsBinaryRecordAndEnvelopeIntoOneNativeBlock_WithoutAManagedCopy()
    {
        var label = Jumbf.NewLabel();
        var command = Manifest("a", Jumbf.ManifestStoreBytes(label, 512 * 1024, (Watermark, WatermarkValue)));
        var pipeline = Pipeline();
        var validated = pipeline.Validate(command);
        pipeline.Prepare(pipeline.Validate(Manifest("b", Jumbf.ManifestStoreBytes(null, 16)))).Dispose(); // warm up: first-call costs are not the proof's

        var before = GC.GetAllocatedBytesForCurrentThread();
        using var prepared = pipeline.Prepare(validated);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The record is the binary layout of the same parts, and the envelope opens to it.
        Assert.Equal(ProofRecord.WriteBinary(prepared.ProofId, command.ImageHash, prepared.CreatedAt, null, ProofMediaTypes.C2pa, validated.C2pa!,
            command.Proof.Span), prepared.Record.ToArray());
        var opened = new ProofEnvelopeCodec(TestKeys.Ring()).Open(prepared.Envelope.Span, prepared.ObjectKey, 1 << 20);
        Assert.Equal(prepared.Record.ToArray(), opened.Record);
        Assert.Equal(opened.Compressed.Length, prepared.CompressedLength);
        Assert.Equal(prepared.ETag, opened.ETag);

        // Record, content and envelope are slices of one native block; no gzip is kept for a binary record.
        var document = prepared.TakeDocument();
        using (document)
        {
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, ProofStorage.Core.Buffers.NativeBuffer>(document.Record, out var block));
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, ProofStorage.Core.Buffers.NativeBuffer>(document.Envelope, out var envelopeBlock));
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, ProofStorage.Core.Buffers.NativeBuffer>(document.ReadContent().Content, out var contentBlock));
            Assert.Same(block, envelopeBlock);
            Assert.Same(block, contentBlock);
            Assert.True(document.Gzip.IsEmpty);
            Assert.Equal(document.Record.Length + document.Envelope.Length, block.Length);
            Assert.Equal(command.Proof.ToArray(), document.ReadContent().Content.ToArray());
            Assert.Equal(new C2paIdentifiers(label, [Binding(Watermark, Convert.ToBase64String(WatermarkValue))]), document.C2pa);
        }

        // A 512 KiB manifest store: a managed record, gzip or envelope would allocate that much at least.
        Assert.True(allocated < 64 * 1024, $"preparing the manifest store allocated {allocated} managed bytes");
    }

    [Fact]
    public async Task FindByBindingAsync_FindsEveryProofCarryingIt_OncePerManifest_InProofIdOrder_UpToMax()
    {
        var ids = new List<string>();
        var shared = Jumbf.ManifestStoreBytes(null, 0, (Watermark, WatermarkValue));
        foreach (var image in new[] { "a", "b", "c" })
        {
            ids.Add((await _store.StoreAsync(Manifest(image, Jumbf.ManifestStoreBytes(null, 0, (Watermark, WatermarkValue))), default)).Document.ProofId);
        }

        // The same manifest store for two more images: two proofs, one manifest id, one match.
        await _store.StoreAsync(Manifest("d", shared), default);
        await _store.StoreAsync(Manifest("e", shared), default);
        await _store.StoreAsync(Manifest("other", Jumbf.ManifestStoreBytes(null, 0, (Watermark, [9]))), default);
        var binding = Binding(Watermark, "AQIDBA==");

        var all = await _store.FindByBindingAsync(binding, 10, default);
        var two = await _store.FindByBindingAsync(binding, 2, default);

        Assert.Equal(4, all.Count);
        Assert.Equal(4, all.Select(d => d.C2pa!.ManifestId).Distinct().Count());
        Assert.Equal(all.Select(d => d.ProofId).Order(StringComparer.Ordinal), all.Select(d => d.ProofId));
        Assert.Subset(all.Select(d => d.ProofId).ToHashSet(), ids.ToHashSet());
        Assert.Equal(all.Take(2).Select(d => d.ProofId), two.Select(d => d.ProofId));
        Assert.Empty(await _store.FindByBindingAsync(Binding("com.adobe.trustmark.Q", "AQIDBA=="), 10, default));
    }

    [Fact]
    public async Task Lookups_TrustTheProofsRecord_NotTheIndex_LeftoversAndForgedEntriesAreNoMatch()
    {
        var binding = Binding(Watermark, "AQIDBA==");
        var label = Jumbf.NewLabel();
        var gone = await _store.StoreAsync(Manifest("gone", Jumbf.ManifestStoreBytes(label, 0, (Watermark, WatermarkValue))), default);
        var other = await _store.StoreAsync(Manifest("other", Jumbf.ManifestStoreBytes()), default);

        // A proof removed behind the store's back (a crash between the proof's delete and its index objects'), and an index
        // object naming a proof that does not carry the binding.
        await _provider.DeleteAsync(DedupProtocol.ProofKey(gone.Document.ProofId), default);
        await _cache.RemoveAsync(gone.Document.ProofId, default);
        await _provider.CreateIfAbsentAsync(DedupProtocol.BindingKey(binding, other.Document.ProofId), new byte[] { 1 }, ObjectMetadata.None, default);

        Assert.Empty(await _store.FindByBindingAsync(binding, 10, default));
        Assert.Null(await _store.FindByManifestIdAsync(label, default));
    }

    [Fact]
    public async Task DeleteAsync_RemovesTheProofAndEveryIndexObject_AndLookupsMissAtOnce()
    {
        var label = Jumbf.NewLabel();
        var stored = await _store.StoreAsync(Manifest("a", Jumbf.ManifestStoreBytes(label, 0, (Watermark, WatermarkValue))), default);
        Assert.NotNull(await _store.FindByManifestIdAsync(label, default));

        var deleted = await _store.DeleteAsync(stored.Document.ProofId, default);

        Assert.Equal(stored.Document.ProofId, deleted?.ProofId);
        Assert.Equal(label, deleted?.C2pa?.ManifestId);
        Assert.Empty(_provider.Objects);
        Assert.Null(await _store.FindByManifestIdAsync(label, default));
        Assert.Empty(await _store.FindByBindingAsync(Binding(Watermark, "AQIDBA=="), 10, default));
    }

    [Fact]
    public async Task DeleteByManifestIdAsync_RemovesEveryProofHoldingIt()
    {
        var label = Jumbf.NewLabel();
        var bytes = Jumbf.ManifestStoreBytes(label, 0, (Watermark, WatermarkValue));
        await _store.StoreAsync(Manifest("a", bytes), default);
        await _store.StoreAsync(Manifest("b", bytes), default);
        await _store.StoreAsync(StoreProofCommand.ForManifestStore(null, bytes, null), default);
        var unrelated = await _store.StoreAsync(Manifest("c", Jumbf.ManifestStoreBytes()), default);

        var deleted = await _store.DeleteByManifestIdAsync(label, default);

        Assert.Equal(3, deleted.Count);
        Assert.Null(await _store.FindByManifestIdAsync(label, default));
        Assert.All(_provider.Objects.Keys, key => Assert.EndsWith(unrelated.Document.ProofId, key, StringComparison.Ordinal));
        Assert.Empty(await _store.DeleteByManifestIdAsync(label, default));
    }

    [Fact]
    public async Task FindByManifestIdAsync_RemembersTheProof_ButNeverPastItsDelete()
    {
        var label = Jumbf.NewLabel();
        var bytes = Jumbf.ManifestStoreBytes(label);
        var a = await _store.StoreAsync(Manifest("a", bytes), default);
        Assert.Equal(a.Document.ProofId, (await _store.FindByManifestIdAsync(label, default))?.ProofId);
        var listingsBefore = _provider.Gets;

        // Deleted elsewhere (another instance): this instance's cache entry goes too, as a backplane message would take it.
        await _provider.DeleteAsync(DedupProtocol.ProofKey(a.Document.ProofId), default);
        await _cache.RemoveAsync(a.Document.ProofId, default);
        var b = await _store.StoreAsync(Manifest("b", bytes), default);

        Assert.Equal(b.Document.ProofId, (await _store.FindByManifestIdAsync(label, default))?.ProofId);
        Assert.True(_provider.Gets > listingsBefore);
    }

    [Fact]
    public async Task AssociateBindingAsync_BindsOnlyAValueTheManifestStoreCarries()
    {
        var label = Jumbf.NewLabel();
        var stored = await _store.StoreAsync(Manifest("a", Jumbf.ManifestStoreBytes(label, 0, (Watermark, WatermarkValue))), default);
        var binding = Binding(Watermark, "AQIDBA==");
        await _provider.DeleteAsync(DedupProtocol.BindingKey(binding, stored.Document.ProofId), default);
        Assert.Empty(await _store.FindByBindingAsync(binding, 10, default));

        Assert.Equal(AssociationOutcome.Bound, await _store.AssociateBindingAsync(label, WatermarkValue, default));
        Assert.Single(await _store.FindByBindingAsync(binding, 10, default));
        Assert.Equal(AssociationOutcome.NotDeclared, await _store.AssociateBindingAsync(label, [9, 9], default));
        Assert.Equal(AssociationOutcome.ManifestNotFound, await _store.AssociateBindingAsync(Jumbf.NewLabel(), WatermarkValue, default));
    }

    [Fact]
    public async Task AFailedProofWrite_LeavesOnlyIndexObjects_WhichFindNothing_AndTheRetryStoresIt()
    {
        var chaos = new ChaosStorageProvider(_provider);
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using var store = StorageManagerTests.Create(chaos, cache, _time);
        var label = Jumbf.NewLabel();
        var command = Manifest("a", Jumbf.ManifestStoreBytes(label, 0, (Watermark, WatermarkValue)));
        // The index objects go first (two: the manifest id and the binding); the proof's own write is the one that fails.
        chaos.BeforeCreate = () => _provider.Objects.Count == 2
            ? throw new StorageUnavailableException("chaos", "the proof's write is not acknowledged")
            : Task.CompletedTask;

        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.StoreAsync(command, default));
        Assert.DoesNotContain(_provider.Objects.Keys, k => k.StartsWith(DedupProtocol.ProofPrefix, StringComparison.Ordinal));
        Assert.Empty(await _store.FindByBindingAsync(Binding(Watermark, "AQIDBA=="), 10, default));
        Assert.Null(await _store.FindByManifestIdAsync(label, default));

        chaos.BeforeCreate = null;
        var stored = await store.StoreAsync(command, default);
        Assert.Equal(stored.Document.ProofId, (await _store.FindByManifestIdAsync(label, default))?.ProofId);
    }

    [Fact]
    public async Task ABinaryProof_CachedInADistributedLevel_ComesBackTheSame()
    {
        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        var serializer = new ProofDocumentCacheSerializer(codec, 1 << 20);
        var stored = await _store.StoreAsync(Manifest("a", Jumbf.ManifestStoreBytes(null, 0, (Watermark, WatermarkValue))), default);

        var bytes = serializer.Serialize(new ZiggyCreatures.Caching.Fusion.Internals.Distributed.FusionCacheDistributedEntry<ProofDocument?>(stored.Document, 1, 2, [], null!));
        var copy = serializer.Deserialize<ZiggyCreatures.Caching.Fusion.Internals.Distributed.FusionCacheDistributedEntry<ProofDocument?>>(bytes)!.Value!;

        Assert.Equal(ProofRecordFormat.Binary, copy.Format);
        Assert.Equal(stored.Document.ETag, copy.ETag);
        Assert.Equal(stored.Document.C2pa, copy.C2pa);
        Assert.Equal(stored.Document.ReadContent().Content.ToArray(), copy.ReadContent().Content.ToArray());
        Assert.True(copy.Gzip.IsEmpty);
    }

    private static ImageHash Hash(string image) => ImageHash.Parse(TestKeys.ImageHash(image));

    private static StoreProofCommand Manifest(string image, byte[] bytes, params SoftBinding[] given) =>
        StoreProofCommand.ForManifestStore(Hash(image), bytes, null, given);

    private static SoftBinding Binding(string alg, string value) =>
        SoftBinding.TryCreate(alg, value, out var binding, out _) ? binding : throw new InvalidOperationException(value);

    private ProofWritePipeline Pipeline(int maxRecordBytes = 1 << 20) =>
        new(new ProofEnvelopeCodec(TestKeys.Ring()), _time, MsOptions.Create(new ProofStorageOptions { MaxRecordBytes = maxRecordBytes }));
}
