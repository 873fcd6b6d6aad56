using System.Runtime;

// The limit: the least an ASP.NET Core endpoint can do to serve a proof — look the bytes up in a dictionary and
// write them. Usage: dotnet ProofStorage.Perf.Kestrel.dll --records DIR --urls http://127.0.0.1:PORT
// (DIR holds {proofId}.json files: the exact bytes the service returns for that id).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(options => options.AddServerHeader = false);
var app = builder.Build();

var directory = app.Configuration["records"] ?? throw new InvalidOperationException("--records DIR is required");
var records = new Dictionary<string, byte[]>(StringComparer.Ordinal);
foreach (var file in Directory.EnumerateFiles(directory, "*.json"))
{
    records[Path.GetFileNameWithoutExtension(file)] = File.ReadAllBytes(file);
}

app.MapGet("/v1/proofs/{id}", (string id, HttpContext context) =>
{
    if (!records.TryGetValue(id, out var body))
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body).AsTask();
});

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"kestrel-baseline: {records.Count} records, ServerGC={GCSettings.IsServerGC}, processors={Environment.ProcessorCount}"));
app.Run();
