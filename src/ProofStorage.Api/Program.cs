using ProofStorage.Api;
using ProofStorage.Api.Commands;
using ProofStorage.Api.Endpoints;
using ProofStorage.Api.OpenApi;
using ProofStorage.Api.Telemetry;

if (ApiKeyCommand.TryRun(args, Console.In, Console.Out) || HealthCheckCommand.TryRun(args, Console.Out))
{
    return;
}

var builder = WebApplication.CreateBuilder(OpenApiExtensions.BuilderOptions(args));
builder.AddProofStorageApi();

var app = builder.Build();
app.UseProofStoragePipeline();
app.MapHealthEndpoints();
app.MapProofEndpoints();
app.MapC2paEndpoints();
app.MapStatsEndpoints();
app.MapAccessStatsEndpoints();
app.MapTelemetryEndpoints();
app.Run();

/// <summary>The host entry point (public so integration tests can start it).</summary>
public partial class Program;
