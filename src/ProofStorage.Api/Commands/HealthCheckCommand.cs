using System.Globalization;

namespace ProofStorage.Api.Commands;

/// <summary>
/// <c>dotnet ProofStorage.Api.dll healthcheck [path-or-url] [--timeout SECONDS]</c>: asks a running instance on this
/// machine for a health endpoint (default <c>/health/live</c>) and exits 0 on a 2xx answer, 1 otherwise (no answer
/// within the timeout, default 3 s, included). It exists for container <c>HEALTHCHECK</c>s: the ASP.NET runtime
/// images carry neither curl nor wget (chiseled ones not even a shell), and the runtime itself is always there.
/// </summary>
/// <remarks>
/// The port comes from the first of <c>ASPNETCORE_HTTP_PORTS</c> or <c>ASPNETCORE_URLS</c> (what the host listens
/// on), else 8080, the runtime images' default. A full URL as argument overrides all of that. Keep the timeout under
/// the orchestrator's own (Docker's <c>HEALTHCHECK --timeout</c>), so the command reports why rather than being killed.
/// </remarks>
internal static class HealthCheckCommand
{
    public const string Name = "healthcheck";
    public const string DefaultPath = "/health/live";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    public static bool TryRun(string[] args, TextWriter output)
    {
        if (args.Length == 0 || args[0] != Name)
        {
            return false;
        }

        if (!TryParse(args.AsSpan(1), out var pathOrUrl, out var timeout))
        {
            output.WriteLine($"usage: {Name} [path-or-url] [--timeout SECONDS]");
            Environment.ExitCode = 2;
            return true;
        }

        var target = ResolveTarget(pathOrUrl,
            Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS"), Environment.GetEnvironmentVariable("ASPNETCORE_URLS"));
        using var client = new HttpClient { Timeout = timeout };
        try
        {
            // Synchronous on purpose: Program's entry point stays synchronous for the one-shot commands.
            using var request = new HttpRequestMessage(HttpMethod.Get, target);
            using var response = client.Send(request);
            output.WriteLine($"{(int)response.StatusCode} {target}");
            Environment.ExitCode = response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (OperationCanceledException)
        {
            output.WriteLine($"unreachable {target}: no answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
            Environment.ExitCode = 1;
        }
        catch (HttpRequestException ex)
        {
            output.WriteLine($"unreachable {target}: {ex.Message}");
            Environment.ExitCode = 1;
        }

        return true;
    }

    /// <summary><c>[path-or-url] [--timeout SECONDS]</c>, in either order; false on anything else.</summary>
    internal static bool TryParse(ReadOnlySpan<string> args, out string pathOrUrl, out TimeSpan timeout)
    {
        pathOrUrl = DefaultPath;
        timeout = DefaultTimeout;
        var pathSeen = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--timeout")
            {
                if (i + 1 >= args.Length || !double.TryParse(args[i + 1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                    || seconds <= 0 || seconds > 3600)
                {
                    return false;
                }

                timeout = TimeSpan.FromSeconds(seconds);
                i++;
            }
            else if (!pathSeen && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                pathOrUrl = args[i];
                pathSeen = true;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    internal static Uri ResolveTarget(string pathOrUrl, string? httpPorts, string? urls)
    {
        if (Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            return absolute;
        }

        var port = 8080;
        if (FirstEntry(httpPorts) is { } first && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var httpPort))
        {
            port = httpPort;
        }
        else if (FirstEntry(urls) is { } url)
        {
            // "http://+:5000" and "http://*:5000" are not URIs to System.Uri; only the port matters here.
            var colon = url.LastIndexOf(':');
            var end = url.IndexOf('/', colon + 1);
            var digits = end < 0 ? url[(colon + 1)..] : url[(colon + 1)..end];
            if (colon > 0 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var urlPort))
            {
                port = urlPort;
            }
        }

        var path = pathOrUrl.StartsWith('/') ? pathOrUrl : "/" + pathOrUrl;
        return new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path}");
    }

    private static string? FirstEntry(string? list) =>
        list?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
