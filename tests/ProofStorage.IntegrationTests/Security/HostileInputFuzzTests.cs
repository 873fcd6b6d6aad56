using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ProofStorage.Testing;
using Xunit.Abstractions;

namespace ProofStorage.IntegrationTests.Security;

/// <summary>
/// Corpus-driven fuzzing: a seeded generator throws malformed, truncated, oversized, deeply nested,
/// wrong-encoding and random bodies and ids at every endpoint. Every input is invalid by construction (a strict
/// prefix of a JSON object is never a JSON object, etc.), so: never a 5xx, never a stored record, never a hang.
/// A failure message names the seed and case so it can be replayed.
/// </summary>
public sealed class HostileInputFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261128;
    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(60);
    private static readonly string[] BodyEndpoints = ["/v1/proofs", "/v1/proofs/batch", "/v1/proofs/lookup"];

    private static ProofStorageApiFactory CreateFactory()
    {
        var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:Api:MaxRequestBodyBytes"] = "65536";
        factory.Settings["ProofStorage:MaxProofDepth"] = "16";
        return factory;
    }

    [Fact]
    public async Task HostileBodies_AtEveryWriteAndLookupEndpoint_GiveA4xx_AndStoreNothing()
    {
        await using var factory = CreateFactory();
        using var client = factory.CreateClient();
        var random = new Random(Seed);
        var cases = BodyCorpus(random).ToList();
        Assert.True(cases.Count > 300, $"only {cases.Count} cases");

        foreach (var (name, body, contentType) in cases)
        {
            foreach (var endpoint in BodyEndpoints)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                var (status, answer) = await SendAsync(client, HttpMethod.Post, endpoint, content);
                var where = $"seed {Seed}, case '{name}' at POST {endpoint}";
                if (status == 200 && endpoint.EndsWith("/batch", StringComparison.Ordinal))
                {
                    // A well-formed batch envelope gets one result per item: each must be refused.
                    using var results = System.Text.Json.JsonDocument.Parse(answer);
                    Assert.All(results.RootElement.GetProperty("results").EnumerateArray(),
                        item => Assert.True(item.GetProperty("status").GetInt32() is >= 400 and < 500, $"{where}: item {item}"));
                    continue;
                }

                Assert.True(status is >= 400 and < 500, $"{where}: {status}");
            }
        }

        AssertNothingStored(factory);
        output.WriteLine($"{cases.Count} bodies x {BodyEndpoints.Length} endpoints, all refused with a 4xx");
    }

    [Fact]
    public async Task HostileIds_AtEveryIdEndpoint_NeverGiveA5xx_AndStoreNothing()
    {
        await using var factory = CreateFactory();
        using var client = factory.CreateClient();
        var random = new Random(Seed + 1);
        // No raw NUL: TestServer's client refuses to send one (Kestrel answers 400 itself).
        var ids = IdCorpus(random).Where(id => !id.Contains('\0', StringComparison.Ordinal)).ToList();
        foreach (var id in ids)
        {
            var escaped = Uri.EscapeDataString(id);
            foreach (var (method, path) in new[]
            {
                (HttpMethod.Get, $"/v1/proofs/{escaped}"),
                (HttpMethod.Head, $"/v1/proofs/{escaped}"),
                (HttpMethod.Delete, $"/v1/proofs/{escaped}"),
                (HttpMethod.Get, $"/v1/proofs/by-image/{escaped}"),
                (HttpMethod.Post, $"/v1/proofs/{escaped}"),
            })
            {
                var (status, _) = await SendAsync(client, method, path, null);
                Assert.True(status is >= 400 and < 500 and not 0, $"seed {Seed + 1}, id '{Printable(id)}' at {method} {path[..Math.Min(path.Length, 80)]}: {status}");
            }
        }

        AssertNothingStored(factory);
        output.WriteLine($"{ids.Count} ids x 5 routes, none answered 5xx");
    }

    private static async Task<(int Status, byte[] Body)> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content)
    {
        using var timeout = new CancellationTokenSource(PerRequest);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        try
        {
            using var response = await client.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            return ((int)response.StatusCode, body);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"{method} {path}: no answer within {PerRequest.TotalSeconds} s (hang)");
            throw;
        }
    }

    private static void AssertNothingStored(ProofStorageApiFactory factory)
    {
        Assert.Empty(SecurityTestHost.StoredFiles(Path.Combine(factory.DataPath, "proofs")));
        Assert.Empty(SecurityTestHost.StoredFiles(Path.Combine(factory.DataPath, "aliases")));
    }

    private static IEnumerable<(string Name, byte[] Body, string ContentType)> BodyCorpus(Random random)
    {
        const string json = "application/json";
        var valid = Encoding.UTF8.GetBytes(
            $$$"""{"imageHash":"{{{TestKeys.ImageHash("fuzz")}}}","proof":{"claim":{"alg":"sha256","assertions":["c2pa.actions"]},"signature":"MEUCIQ"},"metadata":{"source":"fuzz"}}""");
        var validBatch = Encoding.UTF8.GetBytes($"{{\"items\":[{Encoding.UTF8.GetString(valid)}]}}");
        var validLookup = "{\"proofIds\":[\"AAAAAAAAAAAAAAAAAAAAAA\"]}"u8.ToArray();

        // Truncated: every strict prefix of a JSON object is incomplete.
        foreach (var source in new[] { valid, validBatch, validLookup })
        {
            for (var length = 0; length < source.Length; length += 1 + random.Next(6))
            {
                yield return ($"truncated-{length}", source[..length], json);
            }
        }

        // Wrong encodings: UTF-16 (with and without BOM, labelled or not), invalid UTF-8 inside strings, Latin-1.
        var text = Encoding.UTF8.GetString(valid);
        yield return ("utf16le-bom", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)], json);
        yield return ("utf16le", Encoding.Unicode.GetBytes(text), json);
        yield return ("utf16be", Encoding.BigEndianUnicode.GetBytes(text), json);
        yield return ("utf16-labelled", Encoding.Unicode.GetBytes(text), "application/json; charset=utf-16");
        yield return ("latin1-labelled", Encoding.Latin1.GetBytes(text), "application/json; charset=iso-8859-1");
        foreach (var bad in new byte[][] { [0xC3], [0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80] })
        {
            var at = text.IndexOf("MEUCIQ", StringComparison.Ordinal);
            yield return ($"invalid-utf8-{Convert.ToHexString(bad)}", [.. valid[..at], .. bad, .. valid[at..]], json);
            var key = text.IndexOf("source", StringComparison.Ordinal);
            yield return ($"invalid-utf8-key-{Convert.ToHexString(bad)}", [.. valid[..key], .. bad, .. valid[key..]], json);
        }

        // Lone surrogates and NULs through escapes in every string field.
        foreach (var escape in new[] { "\\ud800", "\\udfff", "\\ud800\\u0041", "\\u0000" })
        {
            yield return ($"escape-hash-{escape}", Utf8($"{{\"imageHash\":\"{escape}\",\"proof\":{{}}}}"), json);
            yield return ($"escape-metadata-key-{escape}", Utf8($"{{\"imageHash\":\"{TestKeys.ImageHash("e")}\",\"proof\":{{}},\"metadata\":{{\"{escape}\":\"v\"}}}}"), json);
            yield return ($"escape-metadata-value-{escape}-surrogate", Utf8($"{{\"imageHash\":\"{TestKeys.ImageHash("e")}\",\"proof\":{{}},\"metadata\":{{\"k\":\"\\ud800\"}}}}"), json);
            yield return ($"escape-lookup-{escape}", Utf8($"{{\"proofIds\":[\"{escape}\"]}}"), json);
            yield return ($"escape-batch-{escape}", Utf8($"{{\"items\":[{{\"imageHash\":\"{escape}\",\"proof\":1}}]}}"), json);
        }

        // Deeply nested, inside the proof and at the top.
        foreach (var depth in new[] { 17, 40, 1000, 20_000 })
        {
            var nested = new string('[', depth) + new string(']', depth);
            yield return ($"deep-proof-{depth}", Utf8($"{{\"imageHash\":\"{TestKeys.ImageHash("deep")}\",\"proof\":{nested}}}"), json);
            yield return ($"deep-batch-{depth}", Utf8($"{{\"items\":[{{\"imageHash\":\"{TestKeys.ImageHash("deep")}\",\"proof\":{nested}}}]}}"), json);
            yield return ($"deep-top-{depth}", Utf8(new string('{', 1) + new string('[', depth)), json);
        }

        // Oversized: over the body limit, as one value and as many metadata entries / batch items.
        yield return ("oversized-proof", Utf8($"{{\"imageHash\":\"{TestKeys.ImageHash("big")}\",\"proof\":\"{new string('a', 70_000)}\"}}"), json);
        yield return ("too-many-metadata", Utf8($"{{\"imageHash\":\"{TestKeys.ImageHash("meta")}\",\"proof\":1,\"metadata\":{{{string.Join(',', Enumerable.Range(0, 40).Select(i => $"\"k{i}\":\"v\""))}}}}}"), json);
        yield return ("long-metadata-key", Utf8($"{{\"imageHash\":\"{TestKeys.ImageHash("meta")}\",\"proof\":1,\"metadata\":{{\"{new string('k', 65)}\":\"v\"}}}}"), json);
        yield return ("long-metadata-value", Utf8($"{{\"imageHash\":\"{TestKeys.ImageHash("meta")}\",\"proof\":1,\"metadata\":{{\"k\":\"{new string('v', 1025)}\"}}}}"), json);
        yield return ("too-many-items", Utf8($"{{\"items\":[{string.Join(',', Enumerable.Range(0, 101).Select(i => "{}"))}],\"proofIds\":[{string.Join(',', Enumerable.Range(0, 101).Select(i => $"\"id{i}\""))}]}}"), json);
        yield return ("duplicate-property", Utf8($"{{\"imageHash\":\"{TestKeys.ImageHash("dup")}\",\"imageHash\":\"{TestKeys.ImageHash("dup2")}\",\"proof\":1,\"items\":[],\"items\":[],\"proofIds\":[],\"proofIds\":[]}}"), json);

        // Wrong shapes and types.
        foreach (var shape in new[] { "null", "[]", "1", "\"s\"", "true", "{}", "{\"imageHash\":123,\"proof\":{}}", "{\"imageHash\":null}",
                     "{\"items\":{},\"proofIds\":{}}", "{\"items\":[null,1,\"x\"],\"proofIds\":[null,1,{}]}", $"{{\"imageHash\":\"{TestKeys.ImageHash("x").ToUpperInvariant()}0\",\"proof\":null}}",
                     $"{{\"imageHash\":\"{TestKeys.ImageHash("x")}\",\"proof\":null,\"metadata\":[1]}}", "{\"proofIds\":[\"../../etc/passwd\"],\"items\":[]}",
                     "{\"proofIds\":[\"" + new string('a', 129) + "\"]}" })
        {
            yield return ($"shape-{shape[..Math.Min(shape.Length, 30)]}", Utf8(shape), json);
        }

        // Wrong media types, and empty bodies.
        yield return ("text-plain", valid, "text/plain");
        yield return ("form", valid, "application/x-www-form-urlencoded");
        yield return ("empty", [], json);

        // Random bytes and random JSON-ish text (never an object with all required fields).
        for (var i = 0; i < 60; i++)
        {
            var bytes = new byte[random.Next(1, 2048)];
            random.NextBytes(bytes);
            yield return ($"random-bytes-{i}", bytes, json);
        }

        const string alphabet = "{}[]\":,0123456789.eE+-truefalsnl \\u\t\n";
        for (var i = 0; i < 60; i++)
        {
            var chars = new char[random.Next(1, 512)];
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = alphabet[random.Next(alphabet.Length)];
            }

            yield return ($"random-json-ish-{i}", Utf8(new string(chars)), json);
        }

        // Single-byte corruption of the structure (quotes, braces, colons) of a valid body.
        var structural = Enumerable.Range(0, valid.Length).Where(i => valid[i] is (byte)'{' or (byte)'}' or (byte)':' or (byte)',').ToList();
        for (var i = 0; i < 40; i++)
        {
            var mutated = (byte[])valid.Clone();
            mutated[structural[random.Next(structural.Count)]] = (byte)"\u0001\"]\\"[random.Next(4)];
            yield return ($"structure-flip-{i}", mutated, json);
        }
    }

    private static IEnumerable<string> IdCorpus(Random random)
    {
        yield return "..";
        yield return "../../etc/passwd";
        yield return "a/b";
        yield return "%00";
        yield return " ";
        yield return new string('A', 129);
        yield return new string('A', 5000);
        yield return "AAAAAAAAAAAAAAAAAAAAA=";
        yield return "\ud83d\ude00";
        yield return "é";
        yield return "<script>";
        yield return "proofs";
        const string alphabet = "abcXYZ019-_./\\%:?#@!$&'()*+,;= \t\u00e9\u4e2d\ud83d\ude00";
        for (var i = 0; i < 80; i++)
        {
            var builder = new StringBuilder();
            var length = random.Next(1, 200);
            while (builder.Length < length)
            {
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var id = builder.ToString();
            // Keep the corpus invalid by construction: at least one character outside [A-Za-z0-9_-] or too long.
            if (id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') && id.Length <= 128)
            {
                id += ".";
            }

            yield return id;
        }
    }

    private static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value);

    private static string Printable(string value) =>
        new([.. value.Take(40).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c)]);
}
