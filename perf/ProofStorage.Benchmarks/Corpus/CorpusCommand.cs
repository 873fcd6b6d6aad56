using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;

namespace ProofStorage.Benchmarks.Corpus;

/// <summary>
/// <c>corpus --out DIR [--per-class N] [--seed S]</c>: writes the corpus and the compression report.
/// <list type="bullet">
/// <item><c>DIR/{class}.jsonl</c>: one store request body per line (<c>{"imageHash","proof","metadata"}</c>), unique image hashes.</item>
/// <item><c>DIR/proof-{class}.json</c>: one proof value, the template wrk scripts wrap with a fresh image hash.</item>
/// <item><c>DIR/compression.md</c> / <c>.json</c>: compression of the stored record by size class.</item>
/// </list>
/// </summary>
internal static class CorpusCommand
{
    /// <summary>Size classes: name and target proof size in bytes.</summary>
    public static readonly (string Name, int Bytes)[] Classes =
    [
        ("2k", 2 * 1024), ("4k", 4 * 1024), ("8k", 8 * 1024), ("16k", 16 * 1024), ("32k", 32 * 1024), ("64k", 64 * 1024), ("1m", 1024 * 1024),
    ];

    public static int Run(Dictionary<string, string> options)
    {
        var output = options.GetValueOrDefault("out") ?? "perf/results/tmp/corpus";
        var perClass = int.Parse(options.GetValueOrDefault("per-class") ?? "40", CultureInfo.InvariantCulture);
        var seed = int.Parse(options.GetValueOrDefault("seed") ?? "20261128", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(output);
        var generator = new C2paProofGenerator(seed);
        var rows = new List<CompressionRow>();

        foreach (var (name, bytes) in Classes)
        {
            var count = name == "1m" ? Math.Min(3, perClass) : perClass;
            var row = new CompressionRow(name, count);
            using var jsonl = new StreamWriter(Path.Combine(output, $"{name}.jsonl"), false, new UTF8Encoding(false));
            for (var i = 0; i < count; i++)
            {
                var proof = generator.Generate(bytes);
                var hash = generator.ImageHash();
                if (i == 0)
                {
                    File.WriteAllBytes(Path.Combine(output, $"proof-{name}.json"), proof);
                }

                jsonl.Write("{\"imageHash\":\"");
                jsonl.Write(hash);
                jsonl.Write("\",\"proof\":");
                jsonl.Write(Encoding.UTF8.GetString(proof));
                jsonl.Write(",\"metadata\":{\"source\":\"perf-corpus\",\"sizeClass\":\"");
                jsonl.Write(name);
                jsonl.WriteLine("\"}}");

                // What the store actually compresses is the record around the proof.
                var imageHash = ImageHash.Parse(hash);
                var record = ProofRecord.Write(DedupProtocol.ProofIdFor(imageHash), imageHash, DateTimeOffset.UtcNow,
                    new Dictionary<string, string> { ["source"] = "perf-corpus", ["sizeClass"] = name }, proof);
                row.Add(proof.Length, record);
            }

            rows.Add(row);
            Console.WriteLine($"corpus: {name}: {count} proofs, mean {row.ProofBytes / count} B");
        }

        var total = CompressionRow.Sum(rows);
        var markdown = new StringBuilder();
        markdown.AppendLine("| size class | proofs | mean proof | gzip (Optimal, shipped) | brotli q4 (Optimal) | brotli q11 | zstd 3 | zstd 19 |");
        markdown.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows.Append(total))
        {
            markdown.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.Count} | {row.ProofBytes / Math.Max(1, row.Count):N0} B | {row.Saved(row.Gzip)} | {row.Saved(row.Brotli4)} | {row.Saved(row.Brotli11)} | {row.Saved(row.Zstd3)} | {row.Saved(row.Zstd19)} |");
        }

        markdown.AppendLine();
        markdown.AppendLine("Percent saved on the stored record (record JSON → compressed), bytes summed over the class; \"all\" weights every proof by its size.");
        markdown.AppendLine(CultureInfo.InvariantCulture,
            $"Without the 1 MB class (a few very large composites), gzip saves {CompressionRow.Sum(rows.Where(r => r.Name != "1m").ToList(), "2k-64k").Saved(r => r.Gzip)}.");
        File.WriteAllText(Path.Combine(output, "compression.md"), markdown.ToString());
        File.WriteAllText(Path.Combine(output, "compression.json"), JsonSerializer.Serialize(rows.Append(total).Select(r => new
        {
            r.Name, r.Count, r.RecordBytes, r.Gzip, r.Brotli4, r.Brotli11, r.Zstd3, r.Zstd19,
            GzipSaved = 1 - (double)r.Gzip / r.RecordBytes,
        })));
        Console.Write(markdown);
        return 0;
    }

    private sealed class CompressionRow(string name, int count)
    {
        public string Name { get; } = name;

        public int Count { get; private set; } = count;

        public long ProofBytes { get; private set; }

        public long RecordBytes { get; private set; }

        public long Gzip { get; private set; }

        public long Brotli4 { get; private set; }

        public long Brotli11 { get; private set; }

        public long Zstd3 { get; private set; }

        public long Zstd19 { get; private set; }

        public void Add(int proofBytes, byte[] record)
        {
            ProofBytes += proofBytes;
            RecordBytes += record.Length;
            Gzip += ProofEnvelopeCodec.Gzip(record, CompressionLevel.Optimal).Length;
            Brotli4 += BrotliLength(record, 4);
            Brotli11 += BrotliLength(record, 11);
            using (var zstd3 = new ZstdSharp.Compressor(3))
            {
                Zstd3 += zstd3.Wrap(record).Length;
            }

            using var zstd19 = new ZstdSharp.Compressor(19);
            Zstd19 += zstd19.Wrap(record).Length;
        }

        public string Saved(long compressed) => (1 - (double)compressed / Math.Max(1, RecordBytes)).ToString("P1", CultureInfo.InvariantCulture);

        public string Saved(Func<CompressionRow, long> pick) => Saved(pick(this));

        public static CompressionRow Sum(IReadOnlyList<CompressionRow> rows, string name = "all")
        {
            var sum = new CompressionRow(name, rows.Sum(r => r.Count));
            foreach (var row in rows)
            {
                sum.ProofBytes += row.ProofBytes;
                sum.RecordBytes += row.RecordBytes;
                sum.Gzip += row.Gzip;
                sum.Brotli4 += row.Brotli4;
                sum.Brotli11 += row.Brotli11;
                sum.Zstd3 += row.Zstd3;
                sum.Zstd19 += row.Zstd19;
            }

            return sum;
        }

        private static int BrotliLength(byte[] data, int quality)
        {
            var output = new byte[BrotliEncoder.GetMaxCompressedLength(data.Length)];
            if (!BrotliEncoder.TryCompress(data, output, out var written, quality, 22))
            {
                throw new InvalidOperationException("brotli failed");
            }

            return written;
        }
    }
}
