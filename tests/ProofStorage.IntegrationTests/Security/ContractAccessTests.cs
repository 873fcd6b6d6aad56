using System.Net;
using System.Text;
using System.Text.Json;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Security;

/// <summary>
/// The contract's access statuses and the pipeline's answers come from one reading of each route's metadata
/// (<c>EndpointAccess</c>): every operation the served document lists answers 401, 403 and 429 exactly when the document
/// says it can. A route whose declaration changed on one side only (a scope the document misses, a rate-limit exemption
/// the middleware ignores) fails here.
/// </summary>
public sealed class ContractAccessTests
{
    private static readonly string[] SingleScopeKeys =
        [SecurityTestHost.ReaderKey, SecurityTestHost.WriterKey, SecurityTestHost.DeleterKey, SecurityTestHost.AdminKey];

    [Fact]
    public async Task EveryOperation_Answers401And403_ExactlyWhenTheContractListsThem()
    {
        await using var factory = SecurityTestHost.Create();
        using var anonymous = factory.CreateAnonymousClient();
        var operations = await OperationsAsync(anonymous);
        var clients = SingleScopeKeys.Select(factory.CreateClient).ToArray();

        foreach (var operation in operations)
        {
            using var unkeyed = await anonymous.SendAsync(operation.Request());
            Assert.True(operation.Lists(401) == (unkeyed.StatusCode == HttpStatusCode.Unauthorized),
                $"{operation}: the contract {(operation.Lists(401) ? "lists" : "does not list")} 401; without a key it answered {(int)unkeyed.StatusCode}");

            var forbidden = new List<int>();
            for (var i = 0; i < clients.Length; i++)
            {
                using var keyed = await clients[i].SendAsync(operation.Request());
                Assert.NotEqual(HttpStatusCode.Unauthorized, keyed.StatusCode);
                if (keyed.StatusCode == HttpStatusCode.Forbidden)
                {
                    forbidden.Add(i);
                }
            }

            Assert.True(operation.Lists(403) == (forbidden.Count > 0),
                $"{operation}: the contract {(operation.Lists(403) ? "lists" : "does not list")} 403; {forbidden.Count} of the single-scope keys got it");
        }

        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task EveryOperation_Answers429_ExactlyWhenTheContractListsIt()
    {
        // One anonymous token a second for this client's address: any rate-limited route answers 429 within a few tries.
        await using var factory = SecurityTestHost.Create(configure: s =>
        {
            s["ProofStorage:RateLimit:Enabled"] = "true";
            s["ProofStorage:RateLimit:AnonymousBurst"] = "1";
            s["ProofStorage:RateLimit:AnonymousPermitsPerSecond"] = "1";
        });
        using var anonymous = factory.CreateAnonymousClient();
        var operations = await OperationsAsync(anonymous);
        Assert.Contains(operations, o => o.Lists(429));
        Assert.Contains(operations, o => !o.Lists(429));

        foreach (var operation in operations)
        {
            if (operation.Lists(429))
            {
                await Poll.UntilAsync(async () =>
                {
                    using var response = await anonymous.SendAsync(operation.Request());
                    return response.StatusCode == HttpStatusCode.TooManyRequests;
                }, TimeSpan.FromSeconds(30), $"{operation} to answer 429, which the contract lists");
            }
            else
            {
                for (var i = 0; i < 5; i++)
                {
                    using var response = await anonymous.SendAsync(operation.Request());
                    Assert.True(response.StatusCode != HttpStatusCode.TooManyRequests, $"{operation}: answered 429, which the contract does not list");
                }
            }
        }
    }

    private static async Task<IReadOnlyList<Operation>> OperationsAsync(HttpClient client)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));
        var operations = new List<Operation>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Value.TryGetProperty("responses", out _)))
            {
                var statuses = method.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
                // The body goes with the first media type the operation accepts: routing answers a request of another type
                // with 415 before any endpoint's access rule is known (POST /c2pa/v1/manifests takes application/c2pa only).
                var mediaType = method.Value.TryGetProperty("requestBody", out var requestBody)
                    ? requestBody.GetProperty("content").EnumerateObject().First().Name
                    : null;
                operations.Add(new Operation(method.Name.ToUpperInvariant(), Fill(path.Name), statuses, mediaType));
            }
        }

        Assert.True(operations.Count >= 10, $"only {operations.Count} operations in the served document");
        return operations;
    }

    private static string Fill(string template) => template
        .Replace("{proofId}", "AAAAAAAAAAAAAAAAAAAAAA", StringComparison.Ordinal)
        .Replace("{imageHash}", new string('a', 64), StringComparison.Ordinal);

    private sealed record Operation(string Method, string Path, IReadOnlySet<string> Statuses, string? BodyMediaType)
    {
        public bool Lists(int status) => Statuses.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture));

        public HttpRequestMessage Request() => new(new HttpMethod(Method), Path)
        {
            Content = BodyMediaType is null ? null : new StringContent("{}", Encoding.UTF8, BodyMediaType),
        };

        public override string ToString() => $"{Method} {Path}";
    }
}
