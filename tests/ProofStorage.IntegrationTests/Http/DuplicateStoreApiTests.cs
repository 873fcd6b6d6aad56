using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Core.Storage;
using ProofStorage.IntegrationTests.Security;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Http;

/// <summary>
/// Through the whole pipeline, a duplicate store of a proof in L1 never reaches the provider: with every provider call
/// failing, it is still answered 200 with the stored proof. (That it builds, compresses and encrypts nothing is shown
/// at the store's level, <c>UnitTests.Core.DuplicateStoreTests</c>.)
/// </summary>
public sealed class DuplicateStoreApiTests
{
    [Fact]
    public async Task ADuplicateOfACachedProof_IsAnsweredFromL1_WithNoProviderCall()
    {
        var memory = new InMemoryStorageProvider();
        var chaos = new ChaosStorageProvider(memory);
        await using var factory = SecurityTestHost.Create();
        factory.ConfigureServices = services => services.AddSingleton<IStorageProvider>(chaos);
        using var client = factory.CreateClient(SecurityTestHost.WriterKey);
        var id = await SecurityTestHost.StoreAsync(client, "duplicate-from-l1");
        var (creates, gets) = (memory.Creates, memory.Gets);
        chaos.Unavailable = true;

        using var duplicate = await client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("duplicate-from-l1"));
        using var fresh = await client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("not-cached"));

        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        var body = await duplicate.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        Assert.Equal(id, body!["proofId"].ToString());
        Assert.Equal("True", body["deduplicated"].ToString(), ignoreCase: true);
        Assert.Equal((creates, gets), (memory.Creates, memory.Gets));
        // The provider really was failing: a proof that is not cached could not be stored.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, fresh.StatusCode);
    }
}
