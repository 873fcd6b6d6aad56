using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProofStorage.Caching.Redis;
using ProofStorage.Core.Storage;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests.Deployment;

/// <summary>
/// The Dockerfile and docker-compose.yml cannot be run here (no container engine), so what can be checked without
/// one is: every setting compose gives the service is one the service binds (a misspelt key would be ignored
/// silently), the service starts with exactly that configuration, the stack has its health checks and start order,
/// and the health checks call routes the API maps.
/// </summary>
public sealed class DeploymentFilesTests
{
    private const string ServiceName = "proofstorage";

    /// <summary>Values for the variables compose requires from the operator (<c>${NAME:?…}</c>).</summary>
    private static readonly Dictionary<string, string> OperatorVariables = new(StringComparer.Ordinal)
    {
        ["PROOFSTORAGE_ENCRYPTION_KEY"] = TestKeys.KeyBase64("compose"),
        ["PROOFSTORAGE_API_KEY_HASH"] = TestKeys.ApiKeyHash("psk_compose-test-key"),
    };

    /// <summary>Variables that are not ProofStorage settings but that the host or runtime reads.</summary>
    private static readonly string[] HostVariables = ["ASPNETCORE_ENVIRONMENT", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_URLS"];

    [Fact]
    public void ComposeAndDockerfileEnvironment_EveryVariable_BindsToAnOptionsProperty()
    {
        var environment = ServiceEnvironment();
        foreach (var (name, value) in DeploymentFiles.DockerfileEnvironment())
        {
            environment.TryAdd(name, value);
        }

        Assert.Contains(environment.Keys, k => k.StartsWith("ProofStorage__Storage__Secondary__", StringComparison.Ordinal));
        var unbound = UnboundVariables(environment);
        Assert.True(unbound.Count == 0, "Settings the service does not bind:\n" + string.Join("\n", unbound.Select(u => u.Reason)));
    }

    [Fact]
    public void UnboundVariables_MisspeltOrMisplacedKeys_AreEachNamed()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ProofStorage__Storage__Primary__Type"] = "S3",
            ["ProofStorage__Storage__Primary__Bucket"] = "proofs",
            ["PROOFSTORAGE__REDIS__ENABLED"] = "true",
            ["ProofStorage__Auth__Keys__ops__Scopes__0"] = "admin",
            ["ProofStorage__Storage__Primary__AccessKey"] = "id",
            ["ProofStorage__Storage__Replica__Bucket"] = "proofs",
            ["ProofStorage__Redis__Enable"] = "true",
            ["ProofStorage__Encryption__ActivKeyId"] = "k1",
            ["ProofStorage__Auth__Keys__ops__Scopes__first"] = "admin",
            ["ProofStorage__Cache"] = "big",
            ["ProofStorage_DataPath"] = "/data",
        };

        var unbound = UnboundVariables(environment);

        Assert.Equal(
            ["ProofStorage_DataPath", "ProofStorage__Auth__Keys__ops__Scopes__first", "ProofStorage__Cache", "ProofStorage__Encryption__ActivKeyId",
             "ProofStorage__Redis__Enable", "ProofStorage__Storage__Primary__AccessKey", "ProofStorage__Storage__Replica__Bucket"],
            unbound.Select(u => u.Name).Order(StringComparer.Ordinal));
        Assert.Contains(unbound, u => u.Reason.Contains("AccessKeyId", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ComposeEnvironment_HostStartedWithIt_ValidatesAndBuildsTheFailoverPairAndRedis()
    {
        var environment = ServiceEnvironment();
        var dataPath = TestFolders.New("e2e");
        var settings = environment
            .Where(e => e.Key.StartsWith("ProofStorage__", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value, StringComparer.OrdinalIgnoreCase);
        // /data (the image's) is not writable here; everything else is as compose gives it.
        settings["ProofStorage:DataPath"] = dataPath;
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder
            .UseEnvironment(environment["ASPNETCORE_ENVIRONMENT"])
            .ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings)));
        try
        {
            // Resolving services starts the host: ValidateOnStart runs every options validator and the storage is built.
            var storage = factory.Services.GetRequiredService<IStorageProvider>();
            Assert.Equal("primary+secondary", storage.Name);
            var redis = factory.Services.GetRequiredService<IOptions<RedisProofCacheOptions>>().Value;
            Assert.True(redis.Enabled);
            Assert.Equal("redis:6379", redis.Configuration);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    [Fact]
    public void Compose_Stack_HasHealthChecksBucketStepAndStartOrder()
    {
        var compose = DeploymentFiles.LoadCompose();
        var services = DeploymentFiles.Map(compose["services"]);
        Assert.Superset(new HashSet<string> { ServiceName, "minio", "r2", "redis", "buckets" }, services.Keys.Cast<string>().ToHashSet());

        foreach (var name in new[] { ServiceName, "minio", "r2", "redis" })
        {
            var test = DeploymentFiles.Map(DeploymentFiles.Service(compose, name)["healthcheck"])["test"];
            Assert.True(test is List<object> { Count: > 1 }, $"{name} has no health check command");
        }

        var service = DeploymentFiles.Service(compose, ServiceName);
        Assert.Equal("Dockerfile", DeploymentFiles.Map(service["build"])["dockerfile"]);
        var dependsOn = DeploymentFiles.Map(service["depends_on"]);
        Assert.Equal("service_completed_successfully", Condition(dependsOn, "buckets"));
        Assert.Equal("service_healthy", Condition(dependsOn, "redis"));
        var bucketStep = DeploymentFiles.Service(compose, "buckets");
        Assert.Equal("service_healthy", Condition(DeploymentFiles.Map(bucketStep["depends_on"]), "minio"));
        Assert.Equal("service_healthy", Condition(DeploymentFiles.Map(bucketStep["depends_on"]), "r2"));

        // Every endpoint the service is given is a service of the stack, and each S3 bucket is created by the bucket step.
        var environment = ServiceEnvironment();
        var script = string.Join('\n', ((List<object>)bucketStep["command"]).Cast<string>());
        foreach (var slot in new[] { "Primary", "Secondary" })
        {
            var host = new Uri(environment[$"ProofStorage__Storage__{slot}__ServiceUrl"]).Host;
            Assert.Contains(host, services.Keys.Cast<string>());
            Assert.Contains($"http://{host}:9000", script, StringComparison.Ordinal);
            Assert.Contains("/" + environment[$"ProofStorage__Storage__{slot}__Bucket"], script, StringComparison.Ordinal);
        }

        Assert.Contains(environment["ProofStorage__Redis__Configuration"].Split(':')[0], services.Keys.Cast<string>());
    }

    [Fact]
    public async Task HealthChecks_DockerfileAndCompose_CallTheServiceCommandOnMappedGetRoutes()
    {
        var dockerfile = DeploymentFiles.DockerfileHealthCheck();
        var compose = ((List<object>)DeploymentFiles.Map(DeploymentFiles.Service(DeploymentFiles.LoadCompose(), ServiceName)["healthcheck"])["test"])
            .Cast<string>().ToArray();
        var dataPath = TestFolders.New("e2e");
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder => builder
            .UseEnvironment("Development")
            .ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(
                new Dictionary<string, string?> { ["ProofStorage:DataPath"] = dataPath })));
        try
        {
            var getRoutes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
                .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
                .ToHashSet(StringComparer.OrdinalIgnoreCase);

            foreach (var command in new[] { dockerfile, compose[1..] })
            {
                // ["dotnet", "/app/ProofStorage.Api.dll", "healthcheck", "/health/…"]: the image's own entry assembly.
                Assert.Equal("dotnet", command[0]);
                Assert.Equal("/app/ProofStorage.Api.dll", command[1]);
                Assert.Equal("healthcheck", command[2]);
                Assert.Contains(command[3], getRoutes);
            }

            Assert.Equal("CMD", compose[0]);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    [Fact]
    public void Dockerfile_RestoreLayer_CopiesEveryProjectTheServiceReferences()
    {
        var dockerfile = File.ReadAllText(DeploymentFiles.DockerfilePath);
        var pending = new Queue<string>([Path.Combine(RepositoryPaths.Root, "src", "ProofStorage.Api", "ProofStorage.Api.csproj")]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var project))
        {
            if (!seen.Add(Path.GetFullPath(project)))
            {
                continue;
            }

            var relative = Path.GetRelativePath(RepositoryPaths.Root, project).Replace('\\', '/');
            Assert.Contains($"COPY {relative} {Path.GetDirectoryName(relative)!.Replace('\\', '/')}/", dockerfile, StringComparison.Ordinal);
            foreach (var reference in System.Xml.Linq.XDocument.Load(project).Descendants("ProjectReference"))
            {
                pending.Enqueue(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value.Replace('\\', Path.DirectorySeparatorChar)));
            }
        }

        Assert.True(seen.Count >= 5, "expected the Api and the projects it references");
    }

    private static string? Condition(Dictionary<object, object> dependsOn, string service) =>
        DeploymentFiles.Map(dependsOn[service]).GetValueOrDefault("condition") as string;

    /// <summary>The service's environment in compose, interpolated as compose would with the operator's variables set.</summary>
    private static Dictionary<string, string> ServiceEnvironment() =>
        DeploymentFiles.Environment(DeploymentFiles.Service(DeploymentFiles.LoadCompose(), ServiceName))
            .ToDictionary(e => e.Key, e => DeploymentFiles.Interpolate(e.Value, OperatorVariables), StringComparer.Ordinal);

    private static List<(string Name, string Reason)> UnboundVariables(Dictionary<string, string> environment)
    {
        var configuration = environment
            .Where(e => e.Key.Contains("__", StringComparison.Ordinal))
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value, StringComparer.OrdinalIgnoreCase);
        var unbound = new List<(string, string)>();
        foreach (var name in environment.Keys)
        {
            if (HostVariables.Contains(name, StringComparer.Ordinal) || name.StartsWith("DOTNET_", StringComparison.Ordinal)
                || name.StartsWith("Serilog__", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var reason = name.StartsWith("ProofStorage__", StringComparison.OrdinalIgnoreCase)
                ? OptionsSchema.Explain(name.Replace("__", ":", StringComparison.Ordinal), configuration)
                : $"{name}: neither a ProofStorage__ setting nor a host variable ({string.Join(", ", HostVariables)}, DOTNET_*, Serilog__*).";
            if (reason is not null)
            {
                unbound.Add((name, reason));
            }
        }

        return unbound;
    }
}
