using System.IO.Compression;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ProofStorage.Benchmarks.Corpus;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;

namespace ProofStorage.Benchmarks.Micro;

/// <summary>
/// Envelope cost per size class: Seal (gzip Optimal + AES-256-GCM) against gzip alone, Open (AES-GCM verify +
/// gunzip) against gunzip alone. The difference is what encryption and the envelope add.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EnvelopeBenchmarks
{
    private ProofEnvelopeCodec _codec = null!;
    private byte[] _record = null!;
    private byte[] _envelope = null!;
    private byte[] _gzip = null!;
    private string _key = null!;

    [Params(4 * 1024, 64 * 1024)]
    public int ProofBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var generator = new C2paProofGenerator(42);
        var proof = generator.Generate(ProofBytes);
        var hash = ImageHash.Parse(generator.ImageHash());
        var id = DedupProtocol.ProofIdFor(hash);
        _key = DedupProtocol.ProofKey(id);
        _record = ProofRecord.Write(id, hash, DateTimeOffset.UnixEpoch, null, proof);
        _codec = new ProofEnvelopeCodec(BenchmarkKeys.Ring());
        _envelope = _codec.Seal(_record, _key).Envelope;
        _gzip = ProofEnvelopeCodec.Gzip(_record, CompressionLevel.Optimal);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Seal")]
    public byte[] GzipOnly() => ProofEnvelopeCodec.Gzip(_record, CompressionLevel.Optimal);

    [Benchmark, BenchmarkCategory("Seal")]
    public SealedEnvelope Seal() => _codec.Seal(_record, _key);

    [Benchmark(Baseline = true), BenchmarkCategory("Open")]
    public byte[] GunzipOnly() => ProofEnvelopeCodec.Gunzip(_gzip, 16 * 1024 * 1024);

    [Benchmark, BenchmarkCategory("Open")]
    public OpenedEnvelope Open() => _codec.Open(_envelope, _key, 16 * 1024 * 1024);
}

internal static class BenchmarkKeys
{
    public static EncryptionKeyRing Ring() =>
        new("k1", new Dictionary<string, byte[]>(StringComparer.Ordinal) { ["k1"] = RandomNumberGenerator.GetBytes(32) });
}
