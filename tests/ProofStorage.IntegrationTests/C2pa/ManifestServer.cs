using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ProofStorage.IntegrationTests.C2pa;

/// <summary>
/// A remote manifest repository in miniature: Kestrel on a free loopback port answering GET on registered paths with
/// the registered bytes and media type (404 otherwise), and counting the requests per path. What the C2PA readers fetch
/// from until the service itself serves manifests.
/// </summary>
public sealed class ManifestServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (byte[] Body, string ContentType)> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private WebApplication? _app;

    private ManifestServer()
    {
    }

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<ManifestServer> StartAsync()
    {
        var server = new ManifestServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(server.AnswerAsync);
        await app.StartAsync();
        server._app = app;
        server.BaseAddress = new Uri(app.Urls.Single());
        return server;
    }

    /// <summary>The absolute URL of <paramref name="path"/> on this server.</summary>
    public Uri UrlOf(string path) => new(BaseAddress, path);

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/> from now on (replacing what was there).</summary>
    public void Serve(string path, byte[] body, string contentType = "application/c2pa") => _routes[path] = (body, contentType);

    /// <summary>How many requests <paramref name="path"/> has had.</summary>
    public int RequestCount(string path) => _requests.TryGetValue(path, out var count) ? count : 0;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requests.AddOrUpdate(path, 1, (_, count) => count + 1);
        if (!HttpMethods.IsGet(context.Request.Method) || !_routes.TryGetValue(path, out var route))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = route.ContentType;
        context.Response.ContentLength = route.Body.Length;
        await context.Response.Body.WriteAsync(route.Body);
    }
}
