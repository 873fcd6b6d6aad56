using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Xunit;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ProofStorage.Testing;
using static ProofStorage.EndToEndTests.C2pa.RemoteManifestTests;

namespace ProofStorage.EndToEndTests.C2pa;

/// <summary>The running service and a real manifest store (signed by c2pa-rs), for the bad-input tests.</summary>
public sealed class BadInputService : IAsyncLifetime
{
    internal ServiceProcess Service { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>A manifest store c2pa-rs wrote (with a parent: two manifests), the fuzzers' starting point.</summary>
    public byte[] RealStore { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var tool = C2paTool.Locate();
        var signed = await tool.SignAsync(C2paTestSigner.Create(TestFolders.New("e2e-fuzz-signer")), new Uri("https://repository.example.test/manifests/x"),
            TestFolders.New("e2e-fuzz"), new C2paSignOptions { Seed = 21, WithParent = true, SoftBinding = ("com.digimarc.validate.1", "AAECAwQ=") });
        RealStore = signed.ReadStore();
        Service = await ServiceProcess.StartAsync(environment: new Dictionary<string, string>
        {
            ["ProofStorage__RateLimit__Enabled"] = "false",
            ["ProofStorage__Api__MaxRequestBodyBytes"] = "262144",
        });
        Client = Service.CreateClient(Service.ApiKey);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
    }

    /// <summary>Every object under the data folder (proofs and index objects).</summary>
    public int StoredObjects()
    {
        var root = Path.Combine(Service.DataPath, "proofs");
        return Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories).Count(f => !Path.GetFileName(f).StartsWith('.')) : 0;
    }
}

/// <summary>
/// Bad input through the HTTP API of the running service: a store the strict reader refuses (fuzzed with FsCheck from a
/// real c2pa-rs store: truncations, flips, hostile box lengths, splices), a body that is not JUMBF, an unknown algorithm, a
/// malformed binding value, an oversized body: each a 4xx ProblemDetails, and nothing stored.
/// </summary>
public sealed class BadManifestInputTests(BadInputService fixture) : IClassFixture<BadInputService>
{
    [Property(MaxTest = 300)]
    public async Task<bool> MutatedRealStores_AreRefusedWithA400AndNothingStored_OrStoredWhenTheReaderAcceptsThem(
        PositiveInt kind, PositiveInt position, PositiveInt choice, byte mask)
    {
        var store = fixture.RealStore;
        var mutated = (kind.Get % 4) switch
        {
            0 => store[..(1 + (position.Get % (store.Length - 1)))], // a strict, non-empty prefix
            1 => Flip(store, position.Get, mask == 0 ? (byte)0x80 : mask, 1 + (choice.Get % 3)),
            2 => HostileLength(store, position.Get, choice.Get),
            _ => ManifestStoreFuzz.Splice(store, position.Get, choice.Get, position.Get / 3 + choice.Get, maxRun: 96),
        };

        // What the strict reader says in this process decides what the service must answer.
        var refused = ManifestStoreFuzz.Outcome(mutated) is not null;
        var before = fixture.StoredObjects();
        var imageHash = TestKeys.ImageHash("fuzz-" + Guid.NewGuid().ToString("N"));
        using var response = await PostAsync(fixture.Client, $"/v1/proofs?imageHash={imageHash}", mutated);
        var body = await response.Content.ReadAsStringAsync();
        var proofFile = File.Exists(Path.Combine(fixture.Service.DataPath, "proofs", "proofs",
            DedupProtocol.ProofIdFor(ImageHash.Parse(imageHash))[..2], DedupProtocol.ProofIdFor(ImageHash.Parse(imageHash))));

        if (refused)
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest && ProblemType(body) == "urn:proofstorage:problem:invalid-manifest-store",
                $"kind {kind.Get % 4}: {(int)response.StatusCode} {body}");
            Assert.False(proofFile);
            Assert.Equal(before, fixture.StoredObjects());
        }
        else
        {
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"accepted by the reader, answered {(int)response.StatusCode} {body}");
            Assert.True(proofFile);
        }

        return true;
    }

    public static TheoryData<string, string, byte[], string, HttpStatusCode> BadRequests() => new()
    {
        { "not a JUMBF manifest store", "", Encoding.UTF8.GetBytes("{\"claim\":\"not jumbf\"}"), "invalid-manifest-store", HttpStatusCode.BadRequest },
        { "unknown alg", "&softBinding=com.example.unlisted.1:AAECAw%3D%3D", [], "validation", HttpStatusCode.BadRequest },
        { "malformed binding value (an unencoded +)", "&softBinding=com.digimarc.validate.1:AA+C", [], "validation", HttpStatusCode.BadRequest },
        { "binding value not base64", "&softBinding=com.digimarc.validate.1:%E2%9C%93", [], "validation", HttpStatusCode.BadRequest },
        { "oversized body", "", new byte[300_000], "request-too-large", HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequests_AreA4xxProblem_AndNothingIsStored(string what, string query, byte[] body, string type, HttpStatusCode status)
    {
        var before = fixture.StoredObjects();

        using var response = await PostAsync(fixture.Client, $"/v1/proofs?imageHash={TestKeys.ImageHash("bad-" + what)}{query}",
            body.Length == 0 ? fixture.RealStore : body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{what}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:proofstorage:problem:" + type, ProblemType(text));
        Assert.Equal(before, fixture.StoredObjects());

        // A body refused unread ends its connection, and says so: a client must not send its next request on it (this
        // test's client shares its connections with the other cases).
        Assert.Equal(status == HttpStatusCode.RequestEntityTooLarge, response.Headers.ConnectionClose == true);
    }

    private static string? ProblemType(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("type", out var type) ? type.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] Flip(byte[] store, int position, byte mask, int count)
    {
        var mutated = (byte[])store.Clone();
        for (var i = 0; i < count; i++)
        {
            mutated[(position * (i + 1)) % mutated.Length] ^= mask;
        }

        return mutated;
    }

    private static byte[] HostileLength(byte[] store, int position, int choice)
    {
        var headers = ManifestStoreFuzz.BoxOffsets(store);
        var hostile = ManifestStoreFuzz.HostileLengths(store.Length);
        var mutated = (byte[])store.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(mutated.AsSpan(headers[position % headers.Count]), hostile[choice % hostile.Count]);
        return mutated;
    }
}
