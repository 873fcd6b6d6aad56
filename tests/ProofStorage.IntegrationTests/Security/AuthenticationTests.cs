using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Commands;
using ProofStorage.Api.Security;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Security;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task Store_WithoutKey_Is401ProblemWithChallenge_AndStoresNothing()
    {
        await using var factory = SecurityTestHost.Create();
        using var client = factory.CreateAnonymousClient();

        using var response = await client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("anon"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("ApiKey", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Empty(SecurityTestHost.StoredFiles(Path.Combine(factory.DataPath, "proofs")));
    }

    [Theory]
    [InlineData("psk_not-a-configured-key")]
    [InlineData("")]
    public async Task Store_WithUnknownKey_Is401_AndStoresNothing(string key)
    {
        await using var factory = SecurityTestHost.Create();
        using var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", key);

        using var response = await client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("unknown"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(SecurityTestHost.StoredFiles(Path.Combine(factory.DataPath, "proofs")));
    }

    [Fact]
    public async Task Store_WithReadOnlyKey_Is403Problem_AndStoresNothing()
    {
        await using var factory = SecurityTestHost.Create();
        using var client = factory.CreateClient(SecurityTestHost.ReaderKey);

        using var single = await client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("reader"));
        using var batch = await client.PostAsync("/v1/proofs/batch", new StringContent(
            $$$"""{"items":[{"imageHash":"{{{TestKeys.ImageHash("reader-batch")}}}","proof":{}}]}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Forbidden, single.StatusCode);
        Assert.Equal("application/problem+json", single.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, batch.StatusCode);
        Assert.Empty(SecurityTestHost.StoredFiles(Path.Combine(factory.DataPath, "proofs")));
    }

    [Fact]
    public async Task Delete_WithoutDeleteScope_Is403_AndTheProofStays()
    {
        await using var factory = SecurityTestHost.Create();
        using var writer = factory.CreateClient(SecurityTestHost.WriterKey);
        using var reader = factory.CreateClient(SecurityTestHost.ReaderKey);
        using var deleter = factory.CreateClient(SecurityTestHost.DeleterKey);
        var id = await SecurityTestHost.StoreAsync(writer, "keep-me");

        using var byWriter = await writer.DeleteAsync($"/v1/proofs/{id}");
        using var byReader = await reader.DeleteAsync($"/v1/proofs/{id}");
        using var stillThere = await reader.GetAsync($"/v1/proofs/{id}");
        using var byDeleter = await deleter.DeleteAsync($"/v1/proofs/{id}");

        Assert.Equal(HttpStatusCode.Forbidden, byWriter.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byReader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, byDeleter.StatusCode);
    }

    [Fact]
    public async Task Stats_NeedTheAdminScope()
    {
        await using var factory = SecurityTestHost.Create(configure: s => s["ProofStorage:Auth:AllowAnonymousReads"] = "true");
        using var anonymous = factory.CreateAnonymousClient();
        using var writer = factory.CreateClient(SecurityTestHost.WriterKey);
        using var admin = factory.CreateClient(SecurityTestHost.AdminKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync("/v1/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/v1/stats")).StatusCode);
    }

    [Fact]
    public async Task Reads_NeedAKey_UnlessAnonymousReadsAreAllowed()
    {
        await using var closed = SecurityTestHost.Create();
        var closedId = await SecurityTestHost.StoreAsync(closed.CreateClient(), "closed");
        using var closedAnonymous = closed.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await closedAnonymous.GetAsync($"/v1/proofs/{closedId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await closed.CreateClient(SecurityTestHost.ReaderKey).GetAsync($"/v1/proofs/{closedId}")).StatusCode);

        await using var open = SecurityTestHost.Create(configure: s => s["ProofStorage:Auth:AllowAnonymousReads"] = "true");
        var openId = await SecurityTestHost.StoreAsync(open.CreateClient(), "open");
        using var anonymous = open.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/v1/proofs/{openId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/v1/proofs/by-image/{TestKeys.ImageHash("open")}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/v1/proofs/lookup", new { proofIds = new[] { openId } })).StatusCode);

        // Writes, deletes and stats are never anonymous.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("open-2"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync($"/v1/proofs/{openId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/v1/proofs/{openId}")).StatusCode);
    }

    [Fact]
    public async Task AuthorizationHeaderWithApiKeyScheme_IsAccepted()
    {
        await using var factory = SecurityTestHost.Create();
        using var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "ApiKey " + SecurityTestHost.WriterKey);

        using var response = await client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("authz-header"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Health_IsAnonymous_AndRevealsNoPathOrKey()
    {
        await using var factory = SecurityTestHost.Create();
        using var client = factory.CreateAnonymousClient();

        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");
        var body = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.DoesNotContain(factory.DataPath, body, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TestKeys.KeyBase64("k1"), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRoute_WithoutKey_Is401_NotOpenByDefault()
    {
        await using var factory = SecurityTestHost.Create();
        using var client = factory.CreateAnonymousClient();

        using var response = await client.GetAsync("/v1/not-a-route");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public void StartUp_OutsideDevelopmentWithoutKeys_IsRefusedWithAClearMessage()
    {
        using var factory = SecurityTestHost.Create(environment: "Production", configure: SecurityTestHost.RemoveKeys);

        var error = Assert.IsType<OptionsValidationException>(factory.ValidateStartup());

        Assert.Contains("No API key is configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartUp_WithAMalformedHash_IsRefusedWithoutEchoingTheValue()
    {
        const string pastedKey = "psk_someone-pasted-the-key-itself";
        using var factory = SecurityTestHost.Create(configure: s => s["ProofStorage:Auth:Keys:reader:Hash"] = pastedKey);

        var error = Assert.IsType<OptionsValidationException>(factory.ValidateStartup());

        Assert.Contains("ProofStorage:Auth:Keys:reader:Hash", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(pastedKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_WithoutKeys_RunsWithAuthenticationOff()
    {
        await using var factory = SecurityTestHost.Create(environment: "Development", configure: SecurityTestHost.RemoveKeys);
        using var client = factory.CreateAnonymousClient();

        using var store = await client.PostAsync("/v1/proofs", SecurityTestHost.StoreBody("dev"));
        using var stats = await client.GetAsync("/v1/stats");

        Assert.Equal(HttpStatusCode.Created, store.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
    }

    [Fact]
    public async Task Swagger_DeclaresTheApiKeyHeader()
    {
        await using var factory = SecurityTestHost.Create();
        using var client = factory.CreateAnonymousClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));

        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
    }

    [Fact]
    public void HashKeyCommand_PrintsTheFormTheServiceAccepts()
    {
        using var output = new StringWriter();

        Assert.True(ApiKeyCommand.TryRun(["hash-key"], new StringReader(SecurityTestHost.WriterKey + "\n"), output));

        Assert.Equal(TestKeys.ApiKeyHash(SecurityTestHost.WriterKey), output.ToString().Trim());
    }

    [Fact]
    public void NewKeyCommand_PrintsAKeyAndItsHash()
    {
        using var output = new StringWriter();

        Assert.True(ApiKeyCommand.TryRun(["new-key"], TextReader.Null, output));

        var lines = output.ToString().Split('\n');
        var key = lines[0]["key:".Length..].Trim();
        Assert.StartsWith("psk_", key, StringComparison.Ordinal);
        Assert.True(key.Length >= 40);
        Assert.Equal(TestKeys.ApiKeyHash(key), lines[1]["hash:".Length..].Trim());
        Assert.False(ApiKeyCommand.TryRun(["--urls", "http://127.0.0.1:0"], TextReader.Null, output));
    }
}
