using System.Text.Json;
using System.Text.Json.Nodes;
using ProofStorage.EndToEndTests.Clients;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests.Contract;

/// <summary>
/// The committed OpenAPI contract (<c>openapi/proofstorage.v1.json</c>) is what the code describes, what the service
/// serves, clean under a third-party linter, and usable by a third-party generator.
/// </summary>
public sealed class OpenApiContractTests(ClientServiceFixture fixture) : IClassFixture<ClientServiceFixture>
{
    private const string UpdateCommand = "bash scripts/update-openapi.sh";

    private static string Committed => Path.Combine(RepositoryPaths.Root, "openapi", "proofstorage.v1.json");

    /// <summary>Written by every build of the Api (Microsoft.Extensions.ApiDescription.Server).</summary>
    private static string Built => Path.Combine(RepositoryPaths.Root, "src", "ProofStorage.Api", "obj", "openapi", "proofstorage.json");

    [Fact]
    public async Task CommittedDocument_IsTheDocumentTheBuildWrote()
    {
        Assert.True(File.Exists(Built), $"{Built} is missing: build src/ProofStorage.Api (it writes the document on every build).");

        var committed = Normalize(await File.ReadAllTextAsync(Committed));
        var built = Normalize(await File.ReadAllTextAsync(Built));

        if (committed != built)
        {
            var (_, diff, _) = await TestProcesses.RunAsync("diff", ["-u", Committed, Built], RepositoryPaths.Root, TimeSpan.FromMinutes(1),
                "apt-get install diffutils");
            Assert.Fail($"openapi/proofstorage.v1.json differs from what the code describes. Run `{UpdateCommand}` and commit the result.\n{diff}");
        }
    }

    [Fact]
    public async Task ServedDocument_IsTheCommittedDocument_ServerAside()
    {
        using var http = new HttpClient { BaseAddress = fixture.Service.BaseAddress };

        var served = JsonNode.Parse(await http.GetStringAsync("/swagger/v1/swagger.json"))!.AsObject();
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(Committed))!.AsObject();

        // A served document names the instance that served it, so Swagger UI's "Try it out" calls it.
        Assert.Equal(fixture.Service.BaseAddress.GetLeftPart(UriPartial.Authority), served["servers"]![0]!["url"]!.GetValue<string>());
        served.Remove("servers");
        committed.Remove("servers");
        Assert.True(JsonNode.DeepEquals(committed, served), "The served document differs from the committed one beyond its server.");
    }

    [Fact]
    public async Task RedoclyRecommendedRules_ReportNoErrorsAndNoWarnings()
    {
        var cli = Path.Combine(RepositoryPaths.Root, "openapi", "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(cli), $"{cli} is missing: run `bash scripts/install-test-deps.sh` (npm ci in openapi/).");

        var (exitCode, output, errors) = await TestProcesses.RunAsync("env",
            ["REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "node", cli, "lint", "proofstorage.v1.json", "--format=json"],
            Path.Combine(RepositoryPaths.Root, "openapi"), TimeSpan.FromMinutes(3), "bash scripts/install-test-deps.sh");

        using var report = JsonDocument.Parse(output);
        var totals = report.RootElement.GetProperty("totals");
        var findings = report.RootElement.GetProperty("problems").EnumerateArray()
            .Where(p => !(p.TryGetProperty("ignored", out var ignored) && ignored.GetBoolean()))
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()} at "
                + $"{p.GetProperty("location")[0].GetProperty("pointer").GetString()}: {p.GetProperty("message").GetString()}")
            .ToList();
        Assert.True(totals.GetProperty("errors").GetInt32() == 0 && totals.GetProperty("warnings").GetInt32() == 0 && exitCode == 0,
            $"redocly lint (exit {exitCode}):\n{string.Join('\n', findings)}\n{errors}");
        // Problems accepted at one place each, with reasons, in openapi/.redocly.lint-ignore.yaml.
        Assert.Equal(4, totals.GetProperty("ignored").GetInt32());
    }

    [Fact]
    public async Task Kiota_GeneratesACSharpClient_WithoutWarnings_ThatBuildsWithoutWarnings()
    {
        var folder = TestFolders.New("kiota");
        Directory.CreateDirectory(folder);

        var (generated, generateLog, generateErrors) = await TestProcesses.RunAsync("env",
            ["KIOTA_TUTORIAL_ENABLED=false", "KIOTA_OFFLINE_ENABLED=true", "dotnet", "kiota", "generate", "--language", "CSharp",
                "--openapi", Committed, "--output", Path.Combine(folder, "Generated"), "--class-name", "ProofStorageApiClient",
                "--namespace-name", "ProofStorage.KiotaCheck", "--exclude-backward-compatible", "--log-level", "Warning"],
            RepositoryPaths.Root, TimeSpan.FromMinutes(5), "dotnet tool restore (the Kiota tool is in .config/dotnet-tools.json)");

        Assert.True(generated == 0, generateLog + generateErrors);
        Assert.DoesNotContain("warn", generateLog + generateErrors, StringComparison.OrdinalIgnoreCase);
        await File.WriteAllTextAsync(Path.Combine(folder, "KiotaCheck.csproj"), KiotaProject);

        var (built, buildLog, buildErrors) = await TestProcesses.RunAsync("dotnet", ["build", "KiotaCheck.csproj", "-warnaserror", "-nologo"],
            folder, TimeSpan.FromMinutes(8), "the .NET SDK");

        Assert.True(built == 0, buildLog + buildErrors);
        Assert.Contains(" 0 Warning(s)", buildLog, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "Generated", "V1", "Proofs", "ProofsRequestBuilder.cs")), "Kiota generated no proofs request builder.");
    }

    /// <summary>The .NET client's hand-written models name only what the contract has, and need only what it always sends.</summary>
    [Theory]
    [InlineData(typeof(Client.StoreProofResult), "StoreProofResponse")]
    [InlineData(typeof(Client.ProofRecord), "ProofRecordResponse")]
    [InlineData(typeof(Client.ProofUrl), "ProofUrlResponse")]
    [InlineData(typeof(Client.BatchItemResult), "BatchItemResult")]
    [InlineData(typeof(Client.StorageStatistics), "StatsResponse")]
    [InlineData(typeof(Client.ScrubStatistics), "ScrubSnapshot")]
    [InlineData(typeof(Client.CacheStatistics), "CacheSnapshot")]
    [InlineData(typeof(Client.CacheLevelStatistics), "CacheLevelSnapshot")]
    [InlineData(typeof(Client.DedupStatistics), "DedupSnapshot")]
    [InlineData(typeof(Client.CompressionStatistics), "CompressionSnapshot")]
    [InlineData(typeof(Client.ProviderStatistics), "ProviderSnapshot")]
    [InlineData(typeof(Client.HealthReport), "HealthResponse")]
    [InlineData(typeof(Client.HealthCheckResult), "HealthCheckEntry")]
    public async Task DotNetClientModel_MatchesItsContractSchema(Type model, string schemaName)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Committed));
        var schema = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(schemaName);
        var properties = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var required = schema.TryGetProperty("required", out var list) ? list.EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal) : [];

        foreach (var property in model.GetProperties().Where(p => p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), false).Length == 0))
        {
            var name = property.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), false)
                .OfType<System.Text.Json.Serialization.JsonPropertyNameAttribute>().FirstOrDefault()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            Assert.True(properties.Contains(name), $"{model.Name}.{property.Name}: the contract's {schemaName} has no '{name}'.");
            if (property.GetCustomAttributes(typeof(System.Runtime.CompilerServices.RequiredMemberAttribute), false).Length > 0)
            {
                Assert.True(required.Contains(name), $"{model.Name}.{property.Name} is required, but {schemaName}.{name} is optional in the contract.");
            }
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();

    /// <summary>The generated client on its own, with Kiota's runtime packages, warnings as errors.</summary>
    private const string KiotaProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <AnalysisLevel>latest-recommended</AnalysisLevel>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Microsoft.Kiota.Abstractions" Version="2.1.6" />
            <PackageReference Include="Microsoft.Kiota.Http.HttpClientLibrary" Version="2.1.6" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Form" Version="2.1.6" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Json" Version="2.1.6" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Multipart" Version="2.1.6" />
            <PackageReference Include="Microsoft.Kiota.Serialization.Text" Version="2.1.6" />
          </ItemGroup>
        </Project>
        """;
}
