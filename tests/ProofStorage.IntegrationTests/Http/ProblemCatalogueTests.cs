using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using ProofStorage.Api.Http;
using ProofStorage.Core;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Http;

/// <summary>
/// The one catalogue from failure to ProblemDetails: every entry is distinct, every failure maps to the entry
/// docs/api.md documents, and the answers of the HTTP pipeline carry it.
/// </summary>
public sealed class ProblemCatalogueTests
{
    public static TheoryData<Exception, string, int> Failures() => new()
    {
        { new ProofValidationException("proof", "The proof must be a single JSON value."), "validation", 400 },
        { new ProofTooLargeException(11_000_000, 10_485_760), "too-large", 413 },
        { new ProofStorage.Core.C2pa.ManifestStoreFormatException(ProofStorage.Core.C2pa.ManifestStoreFormatError.Truncated, 8, "The input ends inside a box."),
            "invalid-manifest-store", 400 },
        { new ProofIntegrityException(IntegrityFailureKind.AuthenticationFailed, "proofs/x", "tag"), "integrity", 502 },
        { new StorageUnavailableException("primary", "down"), "storage-unavailable", 503 },
        { new TimeoutException(), "storage-unavailable", 503 },
        { new BadHttpRequestException("too big", StatusCodes.Status413PayloadTooLarge), "request-too-large", 413 },
        { new BadHttpRequestException("slow", StatusCodes.Status408RequestTimeout), "request-timeout", 408 },
        { new BadHttpRequestException("truncated"), "malformed-request", 400 },
        { new InvalidOperationException("a bug"), "unexpected", 500 },
    };

    [Fact]
    public void EveryEntry_HasItsOwnUrnAndIsListed()
    {
        var declared = typeof(ProblemCatalogue).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ProblemKind)).Select(f => (ProblemKind)f.GetValue(null)!).ToList();

        Assert.Equal(declared.Count, ProblemCatalogue.All.Count);
        Assert.All(declared, kind => Assert.Contains(kind, ProblemCatalogue.All));
        Assert.Equal(ProblemCatalogue.All.Count, ProblemCatalogue.All.Select(k => k.Type).Distinct(StringComparer.Ordinal).Count());
        Assert.All(ProblemCatalogue.All, kind =>
        {
            Assert.Matches("^urn:proofstorage:problem:[a-z]+(-[a-z]+)*$", kind.Type);
            Assert.InRange(kind.Status, 400, 599);
            Assert.False(string.IsNullOrWhiteSpace(kind.Title));
        });
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public void EachFailure_MapsToItsEntry(Exception failure, string slug, int status)
    {
        var (kind, detail) = ProblemCatalogue.Classify(failure);

        Assert.Equal("urn:proofstorage:problem:" + slug, kind.Type);
        Assert.Equal(status, kind.Status);
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.DoesNotContain("a bug", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEntry_IsDocumentedInApiMdWithItsStatusAndTitle()
    {
        var apiMd = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "api.md"));
        var rows = Regex.Matches(apiMd, @"^\| `urn:proofstorage:problem:(?<slug>[a-z-]+)` \| (?<status>\d{3}) \| (?<title>[^|]+?) \|", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups["slug"].Value, m => (Status: int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture),
                Title: m.Groups["title"].Value));

        Assert.Equal(ProblemCatalogue.All.Select(k => k.Slug).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        Assert.All(ProblemCatalogue.All, kind =>
        {
            Assert.Equal(kind.Status, rows[kind.Slug].Status);
            Assert.Equal(kind.Title, rows[kind.Slug].Title);
        });
    }

    [Fact]
    public async Task ProofTheCoreRefuses_IsA400ValidationProblemWithTheFieldAndType()
    {
        await using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:MaxProofDepth"] = "16";
        using var client = factory.CreateClient();

        // 17 levels: within what the request parser reads (it leaves room for the request's own levels), over the proof limit.
        using var deep = await Post(client, "/v1/proofs", $"{{\"imageHash\":\"{TestKeys.ImageHash("core-deep")}\",\"proof\":{Nested(17)}}}");
        using var mediaType = await Post(client, "/v1/proofs",
            $"{{\"imageHash\":\"{TestKeys.ImageHash("core-media")}\",\"proof\":{{\"a\":1}},\"proofMediaType\":\"application/c2pa\"}}");

        var deepProblem = await Problem(deep, HttpStatusCode.BadRequest);
        Assert.Equal("urn:proofstorage:problem:validation", deepProblem.GetProperty("type").GetString());
        Assert.Contains("nested at most 16 levels", deepProblem.GetProperty("errors").GetProperty("proof")[0].GetString(), StringComparison.Ordinal);
        var mediaTypeProblem = await Problem(mediaType, HttpStatusCode.BadRequest);
        Assert.Equal("urn:proofstorage:problem:validation", mediaTypeProblem.GetProperty("type").GetString());
        Assert.Contains("base64", mediaTypeProblem.GetProperty("errors").GetProperty("proofMediaType")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchItems_CarryTheirFailuresStatusAndType()
    {
        await using var factory = new ProofStorageApiFactory();
        factory.Settings["ProofStorage:MaxProofDepth"] = "16";
        using var client = factory.CreateClient();
        var body = "{\"items\":[" +
            $"{{\"imageHash\":\"{TestKeys.ImageHash("batch-ok")}\",\"proof\":1}}," +
            "{\"imageHash\":\"bad\",\"proof\":1}," +
            $"{{\"imageHash\":\"{TestKeys.ImageHash("batch-deep")}\",\"proof\":{Nested(17)}}}" +
            "]}";

        using var response = await Post(client, "/v1/proofs/batch", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results");
        Assert.Equal(201, results[0].GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("type").ValueKind);
        foreach (var failed in new[] { results[1], results[2] })
        {
            Assert.Equal(400, failed.GetProperty("status").GetInt32());
            Assert.Equal("urn:proofstorage:problem:validation", failed.GetProperty("type").GetString());
        }

        Assert.Contains("nested at most 16 levels", results[2].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipelineAnswers_CarryTheirEntries()
    {
        await using var factory = new ProofStorageApiFactory();
        using var client = factory.CreateClient();
        using var anonymous = factory.CreateAnonymousClient();

        using var missingProof = await client.GetAsync("/v1/proofs/AAAAAAAAAAAAAAAAAAAAAA");
        using var missingRoute = await client.GetAsync("/v2/nothing-here");
        using var wrongMethod = await client.PutAsync("/v1/proofs/lookup", new StringContent("{}", Encoding.UTF8, "application/json"));
        using var wrongType = await client.PostAsync("/v1/proofs", new StringContent("x", Encoding.UTF8, "text/plain"));
        using var malformed = await Post(client, "/v1/proofs", "{\"imageHash\":");
        using var noKey = await anonymous.PostAsync("/v1/proofs", new StringContent("{}", Encoding.UTF8, "application/json"));

        await AssertEntry(missingProof, ProblemCatalogue.NotFound);
        await AssertEntry(missingRoute, ProblemCatalogue.NotFound);
        await AssertEntry(wrongMethod, ProblemCatalogue.MethodNotAllowed);
        await AssertEntry(wrongType, ProblemCatalogue.UnsupportedMediaType);
        await AssertEntry(malformed, ProblemCatalogue.MalformedRequest);
        await AssertEntry(noKey, ProblemCatalogue.Unauthorized);
    }

    private static async Task AssertEntry(HttpResponseMessage response, ProblemKind kind)
    {
        var problem = await Problem(response, (HttpStatusCode)kind.Status);
        Assert.Equal(kind.Type, problem.GetProperty("type").GetString());
        Assert.Equal(kind.Title, problem.GetProperty("title").GetString());
        Assert.True(problem.TryGetProperty("traceId", out _));
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await ProofApiTests.AssertProblem(response, status);
        return JsonDocument.Parse(text).RootElement;
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string path, string body) =>
        client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    private static string Nested(int levels) => new string('[', levels) + new string(']', levels);

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ProofStorage.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No ProofStorage.sln above {AppContext.BaseDirectory}.");
    }
}
