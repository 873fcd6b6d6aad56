using System.Buffers;
using System.Runtime;
using System.Text.Json;

// The limits: the least an ASP.NET Core endpoint can do to serve a proof — look the bytes up in a dictionary and
// write them — and to answer a duplicate store — read the body, check it is well-formed JSON and answer with its
// imageHash. Usage: dotnet ProofStorage.Perf.Kestrel.dll --records DIR --urls http://127.0.0.1:PORT
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

// The duplicate-store limit: none of the service's work (no API key, limits, repeated-name or depth checks, cache
// lookup, metrics, logs), only what answering a JSON body needs. Malformed JSON throws, which Kestrel answers 500.
app.MapPost("/v1/proofs", async (HttpContext context) =>
{
    var body = context.Request.BodyReader;
    var read = await body.ReadAsync();
    while (!read.IsCompleted)
    {
        body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        read = await body.ReadAsync();
    }

    var hash = ImageHashOf(read.Buffer);
    body.AdvanceTo(read.Buffer.End);
    if (hash is null)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    var answerStart = "{\"deduplicated\":true,\"imageHash\":\""u8;
    var answerEnd = "\"}"u8;
    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = answerStart.Length + hash.Length + answerEnd.Length;
    var output = context.Response.BodyWriter;
    output.Write(answerStart);
    output.Write(hash);
    output.Write(answerEnd);
    await output.FlushAsync();
});

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"kestrel-baseline: {records.Count} records, ServerGC={GCSettings.IsServerGC}, processors={Environment.ProcessorCount}"));
app.Run();

// The top-level imageHash string of one well-formed JSON object, or null.
static byte[]? ImageHashOf(ReadOnlySequence<byte> json)
{
    var reader = new Utf8JsonReader(json);
    byte[]? hash = null;
    while (reader.Read())
    {
        if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("imageHash"u8))
        {
            reader.Read();
            hash = reader.TokenType == JsonTokenType.String ? reader.ValueSpan.ToArray() : null;
        }
    }

    return hash;
}
