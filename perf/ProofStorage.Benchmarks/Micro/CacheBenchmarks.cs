using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Caching.Memory;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;

namespace ProofStorage.Benchmarks.Micro;

/// <summary>
/// The L1 hit path (what a cached GET costs inside the store) and the dedup check of a store (hash → proof id →
/// L1 hit), each against a plain <see cref="Dictionary{TKey,TValue}"/> lookup as the floor.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CacheBenchmarks
{
    private const int Entries = 1024;
    private readonly Dictionary<string, ProofDocument> _dictionary = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProofDocument> _byImage = new(StringComparer.Ordinal);
    private FusionProofCache _fusion = null!;
    private MemoryCache _memory = null!;
    private string[] _ids = null!;
    private ImageHash[] _hashes = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _fusion = new FusionProofCache(Microsoft.Extensions.Options.Options.Create(new CacheOptions { MemorySizeLimitBytes = 256L * 1024 * 1024 }));
        _memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = 256L * 1024 * 1024 });
        _ids = new string[Entries];
        _hashes = new ImageHash[Entries];
        var json = new byte[4096];
        var gzip = new byte[1400];
        var envelope = new byte[1440];
        for (var i = 0; i < Entries; i++)
        {
            var hash = ImageHash.Parse(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))));
            var id = DedupProtocol.ProofIdFor(hash);
            var document = new ProofDocument(id, hash, DateTimeOffset.UnixEpoch, json, gzip, "\"etag\"", envelope);
            _ids[i] = id;
            _hashes[i] = hash;
            _dictionary[id] = document;
            _byImage[hash.Value] = document;
            _memory.Set(id, document, new MemoryCacheEntryOptions { Size = document.CacheSize });
            _fusion.SetAsync(document, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fusion.Dispose();
        _memory.Dispose();
    }

    private int Next() => _next = (_next + 1) & (Entries - 1);

    [Benchmark(Baseline = true), BenchmarkCategory("L1 hit")]
    public ProofDocument? Dictionary_TryGetValue() => _dictionary.TryGetValue(_ids[Next()], out var d) ? d : null;

    [Benchmark, BenchmarkCategory("L1 hit")]
    public ProofDocument? MemoryCache_TryGetValue() => _memory.TryGetValue(_ids[Next()], out ProofDocument? d) ? d : null;

    [Benchmark, BenchmarkCategory("L1 hit")]
    public ProofDocument? FusionProofCache_TryGet() => _fusion.TryGet(_ids[Next()], out var d) ? d : null;

    /// <summary>What GET /v1/proofs/{id} calls: the stampede-protected get-or-load, on a hit.</summary>
    [Benchmark, BenchmarkCategory("L1 hit")]
    public async Task<ProofDocument?> FusionProofCache_GetOrLoadAsync() =>
        await _fusion.GetOrLoadAsync(_ids[Next()], static (_, _) => Task.FromResult<ProofDocument?>(null), CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("Dedup")]
    public ProofDocument? Dictionary_ByImageHash() => _byImage.TryGetValue(_hashes[Next()].Value, out var d) ? d : null;

    [Benchmark, BenchmarkCategory("Dedup")]
    public string ProofIdFor() => DedupProtocol.ProofIdFor(_hashes[Next()]);

    [Benchmark, BenchmarkCategory("Dedup")]
    public ProofDocument? ProofIdFor_Then_L1Hit() => _fusion.TryGet(DedupProtocol.ProofIdFor(_hashes[Next()]), out var d) ? d : null;
}
