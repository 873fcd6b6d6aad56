using System.Text;
using ProofStorage.Core;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;
using ProofStorage.Testing;
using ZiggyCreatures.Caching.Fusion.Internals;
using ZiggyCreatures.Caching.Fusion.Internals.Distributed;

namespace ProofStorage.UnitTests.Caching;

public sealed class ProofDocumentCacheSerializerTests
{
    private readonly ProofDocumentCacheSerializer _serializer = new(CacheTestDocuments.Codec, 1024 * 1024);

    [Fact]
    public void Serialize_ThenDeserialize_ReturnsTheSameDocumentAndEntryFields()
    {
        var document = CacheTestDocuments.Create("roundtrip");
        var entry = new FusionCacheDistributedEntry<ProofDocument?>(document, 1234, 5678, ["t"],
            new FusionCacheEntryMetadata(false, 99, "fc-etag", 42, document.CacheSize, 3));

        var read = _serializer.Deserialize<FusionCacheDistributedEntry<ProofDocument?>>(_serializer.Serialize(entry))!;

        Assert.Equal(1234, read.Timestamp);
        Assert.Equal(5678, read.LogicalExpirationTimestamp);
        Assert.Equal(new[] { "t" }, read.Tags!);
        Assert.Equal(document.CacheSize, read.Metadata!.Size);
        Assert.Equal((byte)3, read.Metadata.Priority);
        Assert.Equal("fc-etag", read.Metadata.ETag);
        var copy = read.Value!;
        Assert.Equal(document.ProofId, copy.ProofId);
        Assert.Equal(document.ImageHash, copy.ImageHash);
        Assert.Equal(document.CreatedAt, copy.CreatedAt);
        Assert.Equal(document.ETag, copy.ETag);
        Assert.Equal(document.StoredBytes, copy.StoredBytes);
        Assert.Equal(document.Json.ToArray(), copy.Json.ToArray());
        Assert.Equal(document.Gzip.ToArray(), copy.Gzip.ToArray());
        Assert.Equal(document.Envelope.ToArray(), copy.Envelope.ToArray());
    }

    [Fact]
    public void Serialize_WritesTheProvidersEnvelopeAsItIs_NotASecondSeal()
    {
        var document = CacheTestDocuments.Create("as-stored");

        var bytes = _serializer.Serialize(new FusionCacheDistributedEntry<ProofDocument?>(document, 1, 2, [], null!));

        // The envelope the provider holds, byte for byte, after a header of FusionCache fields and the proof id.
        Assert.True(bytes.AsSpan().EndsWith(document.Envelope.Span), "the value must end with the stored envelope");
        Assert.InRange(bytes.Length - document.Envelope.Length, 1, 128);
    }

    [Fact]
    public void Deserialize_OpensTheEnvelopeAsAProviderReadDoes_SameDocumentAndETag()
    {
        var document = CacheTestDocuments.Create("provider-read");
        var opened = CacheTestDocuments.Codec.Open(document.Envelope.Span, ProofStorage.Core.Dedup.DedupProtocol.ProofKey(document.ProofId), 1024 * 1024);

        var read = _serializer.Deserialize<FusionCacheDistributedEntry<ProofDocument?>>(
            _serializer.Serialize(new FusionCacheDistributedEntry<ProofDocument?>(document, 1, 2, [], null!)))!.Value!;

        Assert.Equal(opened.ETag, read.ETag);
        Assert.Equal(document.ETag, read.ETag);
        Assert.Equal(opened.Record, read.Json.ToArray());
        Assert.Equal(opened.Compressed, read.Gzip.ToArray());
    }

    [Fact]
    public void Serialize_NegativeEntry_RoundTripsWithoutValue()
    {
        var entry = new FusionCacheDistributedEntry<ProofDocument?>(null, 1, 2, [], null!);

        var read = _serializer.Deserialize<FusionCacheDistributedEntry<ProofDocument?>>(_serializer.Serialize(entry))!;

        Assert.Null(read.Value);
        Assert.Null(read.Metadata);
    }

    [Fact]
    public void Serialize_WritesNeitherRecordJsonNorGzipInTheClear()
    {
        var document = CacheTestDocuments.Create("plaintext", """{"claim":"PLAINTEXT-MARKER"}""");

        var bytes = _serializer.Serialize(new FusionCacheDistributedEntry<ProofDocument?>(document, 1, 2, [], null!));

        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("PLAINTEXT-MARKER")) < 0);
        Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(document.ImageHash!.Value.Value)) < 0);
        Assert.True(bytes.AsSpan().IndexOf(document.Gzip.Span[..16]) < 0, "the gzip bytes must only appear encrypted");
    }

    [Fact]
    public void Deserialize_AnyFlippedByteOfTheEnvelope_IsRejected()
    {
        var document = CacheTestDocuments.Create("tamper");
        var bytes = _serializer.Serialize(new FusionCacheDistributedEntry<ProofDocument?>(document, 1, 2, [], null!));

        // The last 64 bytes are ciphertext and tag; the id and ETag just before them are bound as associated data.
        for (var i = bytes.Length - 64; i < bytes.Length; i += 7)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[i] ^= 0x40;
            Assert.Throws<ProofIntegrityException>(() => _serializer.Deserialize<FusionCacheDistributedEntry<ProofDocument?>>(tampered));
        }

        Assert.True(_serializer.Rejected > 0);
    }

    [Fact]
    public void Deserialize_ProofIdEditedInTheClearHeader_IsRejected()
    {
        var document = CacheTestDocuments.Create("swap-id");
        var bytes = _serializer.Serialize(new FusionCacheDistributedEntry<ProofDocument?>(document, 1, 2, [], null!));
        var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(document.ProofId));
        bytes[at] = (byte)(bytes[at] == (byte)'A' ? 'B' : 'A');

        Assert.Throws<ProofIntegrityException>(() => _serializer.Deserialize<FusionCacheDistributedEntry<ProofDocument?>>(bytes));
    }

    [Fact]
    public void Deserialize_ValueWrittenUnderAnotherKeyRing_IsRejected()
    {
        // Another deployment's proof: its envelope is sealed under a key this ring does not have.
        var otherCodec = new ProofEnvelopeCodec(TestKeys.Ring("k1-other"));
        var other = new ProofDocumentCacheSerializer(otherCodec, 1024 * 1024);
        var bytes = other.Serialize(new FusionCacheDistributedEntry<ProofDocument?>(CacheTestDocuments.Create("ring", codec: otherCodec), 1, 2, [], null!));

        Assert.Throws<ProofIntegrityException>(() => _serializer.Deserialize<FusionCacheDistributedEntry<ProofDocument?>>(bytes));
    }

    [Fact]
    public void Serialize_OtherTypes_AreNotSupported()
    {
        Assert.Throws<NotSupportedException>(() => _serializer.Serialize("text"));
        Assert.Throws<NotSupportedException>(() => _serializer.Deserialize<string>([1, 2, 3]));
    }
}
