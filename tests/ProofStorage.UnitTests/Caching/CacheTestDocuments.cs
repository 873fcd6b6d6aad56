using System.Text;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Testing;

namespace ProofStorage.UnitTests.Caching;

internal static class CacheTestDocuments
{
    public static readonly ProofEnvelopeCodec Codec = new(TestKeys.Ring("k1"));

    /// <summary>A document as the store builds it after a write.</summary>
    public static ProofDocument Create(string label, string proofJson = """{"claim":"secret-claim","signature":"MEUCIQ"}""", ProofEnvelopeCodec? codec = null)
    {
        var imageHash = ImageHash.Parse(TestKeys.ImageHash(label));
        var proofId = DedupProtocol.ProofIdFor(imageHash);
        var createdAt = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        var record = ProofRecord.Write(proofId, imageHash, createdAt, new Dictionary<string, string> { ["source"] = "unit" }, Encoding.UTF8.GetBytes(proofJson));
        var sealedEnvelope = (codec ?? Codec).Seal(record, DedupProtocol.ProofKey(proofId));
        return new ProofDocument(proofId, imageHash, createdAt, record, sealedEnvelope.Compressed, sealedEnvelope.ETag, sealedEnvelope.Envelope);
    }
}
