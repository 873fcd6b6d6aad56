using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ProofStorage.Testing;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package) as a child process on a free loopback port, with a
/// configuration written at start: one scrape job with a static target and the given rule files, scraped and
/// evaluated at a short interval. Read through its HTTP API (<c>/api/v1/…</c>). A missing binary fails the test with a
/// message saying how to install it: the suite never skips silently.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _log = new();
    private readonly Process _process;

    private PrometheusServer(Process process, int port, string folder)
    {
        _process = process;
        Folder = folder;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A client on the server's address (<c>http://127.0.0.1:PORT</c>).</summary>
    public HttpClient Client { get; }

    /// <summary>The folder holding the configuration and the time series database.</summary>
    public string Folder { get; }

    /// <summary>What the server wrote so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a server that scrapes <paramref name="target"/> (<c>host:port</c>, path <c>/metrics</c>) as job
    /// <paramref name="job"/> and loads <paramref name="ruleFiles"/> as they are. Scrapes and rule evaluations run
    /// every <paramref name="interval"/> (default 1 s), so series and alerts follow the target within seconds.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(string job, string target, IEnumerable<string> ruleFiles, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(ruleFiles);
        var every = interval ?? TimeSpan.FromSeconds(1);
        var folder = TestFolders.New("prometheus");
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "prometheus.yml");
        var seconds = $"{every.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
        var rules = string.Join('\n', ruleFiles.Select(f => $"  - '{Path.GetFullPath(f)}'"));
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: {seconds}
              scrape_timeout: {seconds}
              evaluation_interval: {seconds}
            rule_files:
            {rules}
            scrape_configs:
              - job_name: '{job}'
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target}']
            """).ConfigureAwait(false);

        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var info = new ProcessStartInfo("prometheus")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = folder,
            };
            foreach (var argument in new[]
                     {
                         "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(folder, "data"),
                         "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "--log.level=info",
                     })
            {
                info.ArgumentList.Add(argument);
            }

            Process process;
            try
            {
                process = Process.Start(info) ?? throw new InvalidOperationException("prometheus did not start.");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException(
                    "prometheus is not installed: run `bash scripts/install-test-deps.sh` (apt-get install prometheus: the server and promtool).", ex);
            }

            var server = new PrometheusServer(process, port, folder);
            process.OutputDataReceived += (_, e) => server.Collect(e.Data);
            process.ErrorDataReceived += (_, e) => server.Collect(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await server.WaitReadyAsync().ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 5 && server.Log.Contains("address already in use", StringComparison.Ordinal))
            {
                // Another process took the free port between the probe and the bind: try another.
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>GET <c>/api/v1/{path}</c>; returns <c>data</c> and fails when the status is not <c>success</c>.</summary>
    public async Task<JsonElement> ApiAsync(string path)
    {
        using var response = await Client.GetAsync("/api/v1/" + path).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus answered {(int)response.StatusCode} to /api/v1/{path}: {text}");
        }

        return root.GetProperty("data").Clone();
    }

    /// <summary>An instant query; returns the result vector (or scalar/string) as Prometheus gives it.</summary>
    public async Task<JsonElement> QueryAsync(string promql) =>
        (await ApiAsync("query?query=" + Uri.EscapeDataString(promql)).ConfigureAwait(false)).GetProperty("result");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // The run root is swept at exit.
        }
    }

    private async Task WaitReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode} at start-up:\n{Log}");
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"prometheus did not report ready within {StartTimeout.TotalSeconds} s:\n{Log}");
            }

            try
            {
                using var response = await probe.GetAsync("/-/ready").ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
