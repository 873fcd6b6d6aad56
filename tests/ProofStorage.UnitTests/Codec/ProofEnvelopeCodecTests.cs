using System.Security.Cryptography;
using System.Text;
using ProofStorage.Core;
using ProofStorage.Core.Codec;
using ProofStorage.Testing;

namespace ProofStorage.UnitTests.Codec;

public sealed class ProofEnvelopeCodecTests
{
    private const string Key = "proofs/AAAAAAAAAAAAAAAAAAAAAA";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1024)]
    [InlineData(64 * 1024)]
    [InlineData(1024 * 1024)]
    public void Open_AfterSeal_ReturnsTheSameRecordBytes(int size)
    {
        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        var record = RandomJsonLike(size);

        var sealedEnvelope = codec.Seal(record, Key);
        var opened = codec.Open(sealedEnvelope.Envelope, Key, maxRecordBytes: 2 * 1024 * 1024);

        Assert.Equal(record, opened.Record);
        Assert.Equal(sealedEnvelope.Compressed, opened.Compressed);
        Assert.Equal(sealedEnvelope.ETag, opened.ETag);
        Assert.Equal("k1", opened.KeyId);
    }

    [Fact]
    public void Seal_SameRecordTwice_UsesFreshNonces()
    {
        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        var record = Encoding.UTF8.GetBytes("{\"proof\":1}");

        Assert.NotEqual(codec.Seal(record, Key).Envelope, codec.Seal(record, Key).Envelope);
    }

    [Fact]
    public void Seal_Output_ContainsNoPlaintext()
    {
        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        var record = Encoding.UTF8.GetBytes("{\"proof\":\"" + new string('s', 200) + "-SECRET-MARKER\"}");

        var envelope = codec.Seal(record, Key).Envelope;

        Assert.Equal(-1, envelope.AsSpan().IndexOf("SECRET-MARKER"u8));
        Assert.Equal(-1, envelope.AsSpan().IndexOf("ssssssss"u8));
    }

    [Fact]
    public void Open_AnySingleByteFlipped_ThrowsIntegrityError()
    {
        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        var envelope = codec.Seal(Encoding.UTF8.GetBytes("{\"a\":\"" + new string('x', 300) + "\"}"), Key).Envelope;

        for (var i = 0; i < envelope.Length; i++)
        {
            foreach (var mask in new byte[] { 0x01, 0x80 })
            {
                var tampered = envelope.ToArray();
                tampered[i] ^= mask;
                Assert.Throws<ProofIntegrityException>(() => codec.Open(tampered, Key, 1 << 20));
            }
        }
    }

    [Fact]
    public void Open_TruncatedAtAnyLength_ThrowsIntegrityError()
    {
        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        var envelope = codec.Seal(Encoding.UTF8.GetBytes("{\"a\":1}"), Key).Envelope;

        for (var length = 0; length < envelope.Length; length++)
        {
            Assert.Throws<ProofIntegrityException>(() => codec.Open(envelope.AsSpan(0, length), Key, 1 << 20));
        }
    }

    [Fact]
    public void Open_UnderAnotherObjectKey_FailsAuthentication()
    {
        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        var envelope = codec.Seal("{\"a\":1}"u8, Key).Envelope;

        var error = Assert.Throws<ProofIntegrityException>(() => codec.Open(envelope, "proofs/BBBBBBBBBBBBBBBBBBBBBB", 1 << 20));
        Assert.Equal(IntegrityFailureKind.AuthenticationFailed, error.Kind);
    }

    [Fact]
    public void Open_ObjectWrittenUnderOldKey_StaysReadableAfterRotation()
    {
        var before = new ProofEnvelopeCodec(TestKeys.Ring("a"));
        var envelope = before.Seal("{\"a\":1}"u8, Key).Envelope;

        var after = new ProofEnvelopeCodec(TestKeys.Ring("b", "a"));
        var opened = after.Open(envelope, Key, 1 << 20);
        var fresh = after.Open(after.Seal("{\"a\":2}"u8, Key).Envelope, Key, 1 << 20);

        Assert.Equal("{\"a\":1}"u8.ToArray(), opened.Record);
        Assert.Equal("a", opened.KeyId);
        Assert.Equal("b", fresh.KeyId);
    }

    [Fact]
    public void Open_KeyRemovedFromRing_ThrowsUnknownKey()
    {
        var envelope = new ProofEnvelopeCodec(TestKeys.Ring("a")).Seal("{}"u8, Key).Envelope;

        var error = Assert.Throws<ProofIntegrityException>(() => new ProofEnvelopeCodec(TestKeys.Ring("b")).Open(envelope, Key, 1 << 20));
        Assert.Equal(IntegrityFailureKind.UnknownKey, error.Kind);
    }

    [Fact]
    public void Open_SameKeyIdWithDifferentKeyBytes_FailsAuthentication()
    {
        var envelope = new ProofEnvelopeCodec(TestKeys.Ring("a")).Seal("{}"u8, Key).Envelope;
        var impostor = new EncryptionKeyRing("a", new Dictionary<string, byte[]> { ["a"] = TestKeys.Key("other") });

        var error = Assert.Throws<ProofIntegrityException>(() => new ProofEnvelopeCodec(impostor).Open(envelope, Key, 1 << 20));
        Assert.Equal(IntegrityFailureKind.AuthenticationFailed, error.Kind);
    }

    [Fact]
    public void Open_RecordLargerThanLimit_IsRefused()
    {
        var codec = new ProofEnvelopeCodec(TestKeys.Ring());
        var envelope = codec.Seal(new byte[100_000], Key).Envelope;

        var error = Assert.Throws<ProofIntegrityException>(() => codec.Open(envelope, Key, maxRecordBytes: 50_000));
        Assert.Equal(IntegrityFailureKind.CorruptPayload, error.Kind);
    }

    [Fact]
    public void KeyRing_ActiveKeyMissing_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new EncryptionKeyRing("missing", new Dictionary<string, byte[]> { ["a"] = TestKeys.Key("a") }));
        Assert.Throws<ArgumentException>(() => new EncryptionKeyRing("a", new Dictionary<string, byte[]> { ["a"] = new byte[16] }));
        Assert.Throws<ArgumentException>(() => new EncryptionKeyRing("a b", new Dictionary<string, byte[]> { ["a b"] = TestKeys.Key("a") }));
    }

    private static byte[] RandomJsonLike(int size)
    {
        var random = new Random(size);
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            // Mostly compressible text with some noise, like JSON with base64 in it.
            bytes[i] = i % 7 == 0 ? (byte)random.Next(33, 126) : (byte)"{\"claim\":[1,2,3]}"[i % 17];
        }

        return bytes;
    }
}
