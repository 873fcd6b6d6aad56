using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ProofStorage.Benchmarks.Load;

/// <summary>HTTP clients the load harness (perf/run.sh) uses to prepare state: plain HttpClient, no service code.</summary>
internal static class LoadCommands
{
    private static readonly HttpClient Http = CreateClient();

    private static HttpClient CreateClient(int connections = 16)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { Timeout = TimeSpan.FromMinutes(2) };
        if (Environment.GetEnvironmentVariable("PERF_API_KEY") is { Length: > 0 } key)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    /// <summary>
    /// <c>seed --url U --corpus DIR --class 4k --count N --out DIR [--s3 http://host:port/bucket] [--s3-proof-prefix P] [--ids-only true]</c>:
    /// stores N proofs of a class through the batch endpoint (unique image hashes), then writes
    /// <c>ids.txt</c>, <c>hashes.txt</c>, <c>records/{id}.json</c> (the bytes GET returns, for the Kestrel baseline),
    /// and with <c>--s3</c> uploads the records to <c>records/{id}</c> (nginx baseline) and lists the direct-S3 GET paths in
    /// <c>s3-get-paths.txt</c>: the stored envelopes themselves when the service stores in that bucket
    /// (<c>--s3-proof-prefix</c>), otherwise copies of the envelope size under <c>perf-envelopes/</c>. With
    /// <c>--ids-only true</c> it stops after <c>ids.txt</c> and <c>hashes.txt</c> (proofs for the delete scenario).
    /// </summary>
    public static async Task<int> SeedAsync(Dictionary<string, string> options)
    {
        var url = options["url"].TrimEnd('/');
        var corpus = options["corpus"];
        var sizeClass = options.GetValueOrDefault("class") ?? "4k";
        var count = int.Parse(options.GetValueOrDefault("count") ?? "200", CultureInfo.InvariantCulture);
        var output = options["out"];
        var s3 = options.GetValueOrDefault("s3")?.TrimEnd('/');
        var proofPrefix = options.GetValueOrDefault("s3-proof-prefix");
        Directory.CreateDirectory(Path.Combine(output, "records"));

        var lines = File.ReadAllLines(Path.Combine(corpus, $"{sizeClass}.jsonl"));
        var ids = new List<string>(count);
        var hashes = new List<string>(count);
        long storedBytes = 0;
        for (var start = 0; start < count; start += 100)
        {
            var items = new StringBuilder("{\"items\":[");
            var batchHashes = new List<string>();
            for (var i = start; i < Math.Min(count, start + 100); i++)
            {
                var hash = RandomHash();
                batchHashes.Add(hash);
                if (i > start)
                {
                    items.Append(',');
                }

                items.Append(WithHash(lines[i % lines.Length], hash));
            }

            items.Append("]}");
            using var response = await Http.PostAsync($"{url}/v1/proofs/batch", new StringContent(items.ToString(), Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var index = 0;
            foreach (var result in json.RootElement.GetProperty("results").EnumerateArray())
            {
                var status = result.GetProperty("status").GetInt32();
                if (status is not (200 or 201))
                {
                    throw new InvalidOperationException($"seed: item failed with {status}: {result}");
                }

                ids.Add(result.GetProperty("proofId").GetString()!);
                hashes.Add(batchHashes[index++]);
                storedBytes += result.GetProperty("storedBytes").GetInt64();
            }
        }

        await File.WriteAllLinesAsync(Path.Combine(output, "ids.txt"), ids);
        await File.WriteAllLinesAsync(Path.Combine(output, "hashes.txt"), hashes);
        var meanStored = (int)(storedBytes / Math.Max(1, ids.Count));
        await File.WriteAllTextAsync(Path.Combine(output, "stored-bytes.txt"), meanStored.ToString(CultureInfo.InvariantCulture));
        if (options.GetValueOrDefault("ids-only") == "true")
        {
            Console.WriteLine($"seed: {ids.Count} {sizeClass} proofs stored (ids only)");
            return 0;
        }

        var s3Paths = new List<string>();
        var envelopeCopy = RandomNumberGenerator.GetBytes(meanStored);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, token) =>
        {
            var record = await Http.GetByteArrayAsync($"{url}/v1/proofs/{id}", token);
            await File.WriteAllBytesAsync(Path.Combine(output, "records", $"{id}.json"), record, token);
            if (s3 is not null)
            {
                await PutAsync($"{s3}/records/{id}", record, "application/json", token);
                if (proofPrefix is null)
                {
                    await PutAsync($"{s3}/perf-envelopes/{id}", envelopeCopy, "application/octet-stream", token);
                }
            }
        });

        if (s3 is not null)
        {
            var bucketPath = new Uri(s3).AbsolutePath.TrimEnd('/');
            foreach (var id in ids)
            {
                s3Paths.Add(proofPrefix is null ? $"{bucketPath}/perf-envelopes/{id}" : $"{bucketPath}/{proofPrefix}proofs/{id}");
            }

            await File.WriteAllLinesAsync(Path.Combine(output, "s3-get-paths.txt"), s3Paths);
            var check = await Http.GetAsync($"{s3.Replace(bucketPath, string.Empty, StringComparison.Ordinal)}{s3Paths[0]}");
            if (!check.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"seed: direct S3 GET of {s3Paths[0]} answered {(int)check.StatusCode}; check the S3 key prefix.");
            }
        }

        Console.WriteLine($"seed: {ids.Count} {sizeClass} proofs stored, mean envelope {meanStored} B");
        return 0;
    }

    /// <summary>
    /// <c>fill --url U --bytes B [--corpus DIR --class 64k] [--parallel 8] [--delete end]</c>: stores new proofs (unique
    /// hashes) until the L1 charge of what was written (record + gzip + per-entry overhead, as the cache counts it) reaches
    /// B bytes. With <c>--delete end</c> every proof stored is deleted once the fill is done: with B above the L1 budget the
    /// service runs its store path, its eviction and both delete paths (a proof in L1, one evicted to the provider), so the
    /// tiered JIT compiles all of them, and its L1 ends as empty as it began.
    /// </summary>
    public static async Task<int> FillAsync(Dictionary<string, string> options)
    {
        var url = options["url"].TrimEnd('/');
        var target = long.Parse(options["bytes"], CultureInfo.InvariantCulture);
        var lines = File.ReadAllLines(Path.Combine(options["corpus"], $"{options.GetValueOrDefault("class") ?? "64k"}.jsonl"));
        var parallel = int.Parse(options.GetValueOrDefault("parallel") ?? "8", CultureInfo.InvariantCulture);
        var deleteAtEnd = (options.GetValueOrDefault("delete") ?? "none") switch
        {
            "none" => false,
            "end" => true,
            var other => throw new ArgumentException($"--delete takes none or end, not {other}"),
        };
        var proofIds = new System.Collections.Concurrent.ConcurrentBag<string>();
        long charged = 0;
        long count = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, int.MaxValue).TakeWhile(_ => Interlocked.Read(ref charged) < target),
            new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, token) =>
            {
                var body = WithHash(lines[i % lines.Length], RandomHash());
                using var response = await Http.PostAsync($"{url}/v1/proofs", new StringContent(body, Encoding.UTF8, "application/json"), token);
                response.EnsureSuccessStatusCode();
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
                var size = json.RootElement.GetProperty("sizeBytes").GetInt64();
                var stored = json.RootElement.GetProperty("storedBytes").GetInt64();
                // As the L1 charges an entry: record, gzip (about the envelope's size) and envelope, plus the overhead.
                Interlocked.Add(ref charged, size + (2 * stored) + 320);
                Interlocked.Increment(ref count);
                proofIds.Add(json.RootElement.GetProperty("proofId").GetString()!);
            });
        if (deleteAtEnd)
        {
            await Parallel.ForEachAsync(proofIds, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (proofId, token) =>
            {
                using var deleted = await Http.DeleteAsync($"{url}/v1/proofs/{proofId}", token);
                if (!deleted.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException(
                        $"DELETE of {proofId} answered {(int)deleted.StatusCode}: {await deleted.Content.ReadAsStringAsync(token)}");
                }
            });
        }

        Console.WriteLine($"fill: {count} proofs, {charged} bytes charged{(deleteAtEnd ? ", all deleted once the fill was done" : string.Empty)}");
        return 0;
    }

    /// <summary>
    /// <c>bulk --url U --size BYTES --parallel P [--count N]</c>: N (default P) stores of new proofs whose value is one JSON
    /// string of about BYTES random base64 characters (incompressible: the worst case for memory), P at a time; prints
    /// the statuses. For the "32 parallel stores of 8 MB proofs" memory scenario.
    /// </summary>
    public static async Task<int> BulkAsync(Dictionary<string, string> options)
    {
        var url = options["url"].TrimEnd('/');
        var size = int.Parse(options["size"], CultureInfo.InvariantCulture);
        var parallel = int.Parse(options.GetValueOrDefault("parallel") ?? "32", CultureInfo.InvariantCulture);
        var count = int.Parse(options.GetValueOrDefault("count") ?? parallel.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var proof = Convert.ToBase64String(RandomNumberGenerator.GetBytes(size * 3 / 4));
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        using var http = CreateClient(parallel);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (_, token) =>
        {
            var body = Encoding.UTF8.GetBytes($"{{\"imageHash\":\"{RandomHash()}\",\"proof\":\"{proof}\"}}");
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync($"{url}/v1/proofs", content, token);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
        });
        Console.WriteLine($"bulk: {count} stores of {size} B, {parallel} at a time: "
            + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} x {s.Key}")));
        return 0;
    }

    private static async Task PutAsync(string url, byte[] body, string contentType, CancellationToken token)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await Http.PutAsync(url, content, token);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(token)}");
        }
    }

    private static string RandomHash() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Corpus lines start with <c>{"imageHash":"</c> followed by the 64 hex characters.</summary>
    private static string WithHash(string line, string hash) => string.Concat(line.AsSpan(0, 14), hash, line.AsSpan(78));
}
