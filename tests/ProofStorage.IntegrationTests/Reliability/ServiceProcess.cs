using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.Reliability;

/// <summary>
/// The service as a real process (<c>dotnet src/ProofStorage.Api/bin/&lt;cfg&gt;/net10.0/ProofStorage.Api.dll</c>) on a
/// free loopback port, in the Production environment, configured only through environment variables. Captures
/// stdout and stderr line by line, so tests can wait for a log line and inspect the whole log.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    public const string ApiKey = "psk_process-test-key-0123456789abcdefghij";
    public static readonly string EncryptionKeyBase64 = TestKeys.KeyBase64("process-k1");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    public int Port { get; }

    public HttpClient Client { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far (stdout and stderr).</summary>
    public string Output => string.Join('\n', _lines);

    public static async Task<ServiceProcess> StartAsync(string dataPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var dll = ApiDll();
        var start = TestProcesses.Dotnet(dll, ["--urls", $"http://127.0.0.1:{port}"], Path.GetDirectoryName(dll));
        var env = start.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["DOTNET_gcServer"] = "0";
        env["ProofStorage__DataPath"] = dataPath;
        env["ProofStorage__Encryption__ActiveKeyId"] = "k1";
        env["ProofStorage__Encryption__Keys__k1"] = EncryptionKeyBase64;
        env["ProofStorage__Auth__Keys__process__Hash"] = TestKeys.ApiKeyHash(ApiKey);
        env["ProofStorage__Auth__Keys__process__Scopes__0"] = "proofs:read";
        env["ProofStorage__Auth__Keys__process__Scopes__1"] = "proofs:write";
        env["ProofStorage__Auth__Keys__process__Scopes__2"] = "proofs:delete";
        env["ProofStorage__Auth__Keys__process__Scopes__3"] = "admin";
        env["ProofStorage__RateLimit__Enabled"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process, port);
        process.OutputDataReceived += (_, e) => service.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => service.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await service.WaitReadyAsync();
        return service;
    }

    /// <summary>Polls <c>/health/live</c>; fails with the process output if it exits or takes over 30 s.</summary>
    public async Task WaitReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            Assert.False(_process.HasExited, $"the service exited during start-up:\n{Output}");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"the service did not answer within 30 s:\n{Output}");
            try
            {
                using var response = await probe.GetAsync("/health/live");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits until a log line contains <paramref name="text"/>.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(deadline.Elapsed < timeout, $"no log line with '{text}' within {timeout.TotalSeconds} s:\n{Output}");
            await Task.Delay(20);
        }
    }

    public void Kill() => _process.Kill();

    /// <summary>Sends SIGTERM, as an orchestrator does on shutdown.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The Api build of the same configuration as these tests (the test project references it, so it is built).</summary>
    private static string ApiDll()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ProofStorage.sln")))
        {
            folder = folder.Parent;
        }

        Assert.NotNull(folder);
        var dll = Path.Combine(folder.FullName, "src", "ProofStorage.Api", "bin", configuration, "net10.0", "ProofStorage.Api.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build src/ProofStorage.Api -c {configuration} first");
        return dll;
    }
}
