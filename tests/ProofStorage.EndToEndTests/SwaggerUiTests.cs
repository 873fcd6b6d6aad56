using System.Text.Json;
using Microsoft.Playwright;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests;

/// <summary>
/// Swagger UI in a real headless Chromium (the distribution's, driven by Playwright) against the real service on
/// Kestrel: what an integrator sees when they open <c>/swagger</c>.
/// </summary>
public sealed class SwaggerUiTests : IAsyncLifetime
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    private ServiceProcess _service = null!;
    private HeadlessChromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _chromium = await HeadlessChromium.LaunchAsync();
        _service = await ServiceProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }

    [Fact]
    public async Task SwaggerUi_StoreThenRetrieveThroughTryItOut_ListsEveryOperationAndRoundTripsTheProof()
    {
        using var document = await GetOpenApiDocumentAsync();
        var expected = Operations(document);
        var page = await _chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // Generous: the suite shares two cores with other test assemblies running in parallel.
        page.SetDefaultTimeout(60_000);
        try
        {
            await page.GotoAsync(new Uri(_service.BaseAddress, "/swagger/index.html").ToString());
            await page.Locator(".opblock").First.WaitForAsync();
            Assert.StartsWith("ProofStorage API", (await page.Locator(".info .title").InnerTextAsync()).Trim(), StringComparison.Ordinal);

            // Every operation of the OpenAPI document is rendered, and nothing else.
            var rendered = await page.Locator(".opblock").EvaluateAllAsync<string[]>(
                "blocks => blocks.map(b => b.querySelector('.opblock-summary-method').textContent.trim().toUpperCase() + ' ' + b.querySelector('.opblock-summary-path').getAttribute('data-path'))");
            Assert.Equal(expected.Select(o => o.Key).Order(StringComparer.Ordinal), rendered.Order(StringComparer.Ordinal));

            await AuthorizeAsync(page, _service.ApiKey);

            // Store through "Try it out".
            var imageHash = TestKeys.ImageHash("swagger-ui-" + Guid.NewGuid().ToString("N"));
            var proof = new { claim = new { alg = "sha256", assertions = new[] { "c2pa.actions" } }, signature = "MEUCIQ-e2e" };
            var store = await OpenTryItOutAsync(page, expected, "StoreProof");
            await store.Locator("textarea.body-param__text").FillAsync(JsonSerializer.Serialize(new { imageHash, proof, metadata = new { source = "swagger-ui" } }));
            var (storeStatus, storeBody) = await ExecuteAsync(store);
            Assert.Equal("201", storeStatus);
            var proofId = storeBody.GetProperty("proofId").GetString();
            Assert.False(string.IsNullOrEmpty(proofId));
            Assert.Equal(imageHash, storeBody.GetProperty("imageHash").GetString());
            Assert.False(storeBody.GetProperty("deduplicated").GetBoolean());

            // Retrieve it by id, also through "Try it out".
            var get = await OpenTryItOutAsync(page, expected, "GetProof", "GET");
            await get.Locator("input[placeholder='proofId']").FillAsync(proofId!);
            var (getStatus, getBody) = await ExecuteAsync(get);
            Assert.Equal("200", getStatus);
            Assert.Equal(proofId, getBody.GetProperty("proofId").GetString());
            Assert.Equal(imageHash, getBody.GetProperty("imageHash").GetString());
            Assert.Equal("MEUCIQ-e2e", getBody.GetProperty("proof").GetProperty("signature").GetString());
            Assert.Equal("swagger-ui", getBody.GetProperty("metadata").GetProperty("source").GetString());
            // The retrieve with its live response on its own, easier to look at than the whole page.
            await get.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(RepositoryPaths.Artifacts, "swagger-ui-get-proof.png") });
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            throw new InvalidOperationException($"The browser step failed ({ex.Message}). Service log:\n{_service.Output}", ex);
        }
        finally
        {
            // Kept whether the test passed or not: CI uploads the folder.
            var screenshot = Path.Combine(RepositoryPaths.Artifacts, "swagger-ui.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            await page.CloseAsync();
        }
    }

    /// <summary>The Authorize dialog with the API key security scheme the document declares.</summary>
    private static async Task AuthorizeAsync(IPage page, string apiKey)
    {
        await page.Locator(".scheme-container button.authorize").ClickAsync();
        var dialog = page.Locator(".dialog-ux .modal-ux");
        await dialog.Locator("h4", new LocatorLocatorOptions { HasText = "ApiKey" }).WaitForAsync();
        await dialog.Locator("input").First.FillAsync(apiKey);
        await dialog.Locator("button.authorize").ClickAsync();
        // The dialog then offers Logout: the key is held for the following requests.
        await dialog.Locator("button", new LocatorLocatorOptions { HasText = "Logout" }).WaitForAsync();
        await dialog.Locator("button.btn-done").ClickAsync();
        await dialog.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
    }

    private static async Task<ILocator> OpenTryItOutAsync(IPage page, Dictionary<string, string> operations, string operationId, string? method = null)
    {
        var key = operations.Single(o => o.Value == operationId && (method is null || o.Key.StartsWith(method + " ", StringComparison.Ordinal))).Key;
        var (verb, path) = (key[..key.IndexOf(' ', StringComparison.Ordinal)], key[(key.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        var block = page.Locator($".opblock.opblock-{verb.ToLowerInvariant()}")
            .Filter(new LocatorFilterOptions { Has = page.Locator($".opblock-summary-path[data-path='{path}']") });
        await block.Locator(".opblock-summary").First.ClickAsync();
        await block.Locator("button.try-out__btn").ClickAsync();
        return block;
    }

    /// <summary>Clicks Execute and reads the live response: status and JSON body.</summary>
    private static async Task<(string Status, JsonElement Body)> ExecuteAsync(ILocator operation)
    {
        await operation.Locator("button.execute").ClickAsync();
        var status = operation.Locator(".live-responses-table tr.response .response-col_status").First;
        await status.WaitForAsync();
        var body = await operation.Locator(".live-responses-table tr.response .response-col_description .highlight-code pre").First.InnerTextAsync();
        using var json = JsonDocument.Parse(body);
        return ((await status.InnerTextAsync()).Trim(), json.RootElement.Clone());
    }

    private async Task<JsonDocument> GetOpenApiDocumentAsync()
    {
        using var client = new HttpClient { BaseAddress = _service.BaseAddress };
        await using var stream = await client.GetStreamAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        return await JsonDocument.ParseAsync(stream);
    }

    /// <summary>"METHOD /path" → operationId, for every operation in the document.</summary>
    private static Dictionary<string, string> Operations(JsonDocument document)
    {
        var operations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => HttpMethods.Contains(o.Name)))
            {
                operations[$"{operation.Name.ToUpperInvariant()} {path.Name}"] =
                    operation.Value.TryGetProperty("operationId", out var id) ? id.GetString() ?? string.Empty : string.Empty;
            }
        }

        Assert.NotEmpty(operations);
        return operations;
    }
}
