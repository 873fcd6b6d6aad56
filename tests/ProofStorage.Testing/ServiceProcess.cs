using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace ProofStorage.Testing;

/// <summary>
/// The built service run the way an operator runs it: <c>dotnet src/ProofStorage.Api/bin/&lt;cfg&gt;/net10.0/ProofStorage.Api.dll</c>
/// as a child process in the Production environment, configured only through environment variables, on Kestrel on a
/// loopback port the kernel picks (the host logs which one). Storage is the filesystem provider in
/// <see cref="DataPath"/>; the encryption key and the API key are made up per run; rate limits are off unless a test
/// turns them on. Captures stdout and stderr line by line, so a test can wait for a log line and read the whole log.
/// </summary>
/// <remarks>
/// <see cref="StartAsync"/> returns once <c>/health/live</c> has answered 200: the process is up and has served a
/// request, not only bound its port.
/// </remarks>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    /// <summary>How long start-up may take on a busy machine before the test fails with the process output.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HttpClient? _client;

    private ServiceProcess(Process process, string dataPath, string apiKey)
    {
        _process = process;
        DataPath = dataPath;
        ApiKey = apiKey;
    }

    /// <summary>The active encryption key (base64): the same for every run, so a restarted service reads what an earlier one stored.</summary>
    public static string EncryptionKeyBase64 { get; } = TestKeys.KeyBase64("process-k1");

    /// <summary><c>http://127.0.0.1:PORT</c>, as the host reported it.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>An API key with every scope (sent by <see cref="Client"/>).</summary>
    public string ApiKey { get; }

    public string DataPath { get; }

    /// <summary>A client on <see cref="BaseAddress"/> that sends <see cref="ApiKey"/>.</summary>
    public HttpClient Client => _client ??= CreateClient(ApiKey);

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far (stdout and stderr), one line each.</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>
    /// Starts the service on <paramref name="dataPath"/> (a new temp folder when null) with <paramref name="environment"/>
    /// layered over the defaults, and waits until it serves.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string? dataPath = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        dataPath ??= TestFolders.New("service");
        Directory.CreateDirectory(dataPath);
        var apiKey = "psk_process_" + Guid.NewGuid().ToString("N");
        var assembly = ServiceAssembly;
        var start = TestProcesses.Dotnet(assembly, [], Path.GetDirectoryName(assembly));
        var env = start.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        // Port 0: the kernel picks a free port, and the host logs it ("Now listening on: …"), so no other process can
        // take the port between choosing it and binding it.
        env["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        env["DOTNET_gcServer"] = "0";
        env["ProofStorage__DataPath"] = dataPath;
        env["ProofStorage__Encryption__ActiveKeyId"] = "k1";
        env["ProofStorage__Encryption__Keys__k1"] = EncryptionKeyBase64;
        env["ProofStorage__Auth__Keys__process__Hash"] = TestKeys.ApiKeyHash(apiKey);
        env["ProofStorage__Auth__Keys__process__Scopes__0"] = "proofs:read";
        env["ProofStorage__Auth__Keys__process__Scopes__1"] = "proofs:write";
        env["ProofStorage__Auth__Keys__process__Scopes__2"] = "proofs:delete";
        env["ProofStorage__Auth__Keys__process__Scopes__3"] = "admin";
        env["ProofStorage__RateLimit__Enabled"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, dataPath, apiKey);
        process.OutputDataReceived += (_, e) => service.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => service.Collect(e.Data);
        process.Exited += (_, _) => service._listening.TrySetException(new InvalidOperationException("The service exited at start-up:\n" + service.Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitUntilServingAsync();
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>Runs <c>dotnet ProofStorage.Api.dll ARGS</c> to completion (a CLI command of the service) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var info = TestProcesses.Dotnet(ServiceAssembly, args);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet ProofStorage.Api.dll {string.Join(' ', args)} did not exit within {StartTimeout.TotalSeconds} s.");
        }

        return (process.ExitCode, await output + await errors);
    }

    /// <summary>A client on <see cref="BaseAddress"/> that sends <paramref name="apiKey"/> (none when null).</summary>
    public HttpClient CreateClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    /// <summary>Waits until a log line contains <paramref name="text"/>; fails with the whole log after <paramref name="timeout"/>.</summary>
    public Task WaitForLogAsync(string text, TimeSpan timeout) =>
        Poll.UntilAsync(() => Task.FromResult(_lines.Any(l => l.Contains(text, StringComparison.Ordinal))), timeout,
            () => $"a log line with '{text}':\n{Output}");

    /// <summary>SIGKILL (the whole process tree).</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Sends SIGTERM, as an orchestrator does on shutdown.</summary>
    public void Terminate() => TestProcesses.Signal(_process.Id, "TERM");

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

    /// <summary>Kills the process if it still runs. The data folder stays (a test may restart on it); the run's temp root goes at exit.</summary>
    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>The service as built beside the tests (same configuration): <c>src/ProofStorage.Api/bin/&lt;cfg&gt;/net10.0/ProofStorage.Api.dll</c>.</summary>
    public static string ServiceAssembly
    {
        get
        {
            var configuration = typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var path = Path.Combine(TestPaths.RepositoryRoot, "src", "ProofStorage.Api", "bin", configuration, "net10.0", "ProofStorage.Api.dll");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"{path} is missing: build the solution (dotnet build ProofStorage.sln -c {configuration}) first.");
        }
    }

    private async Task WaitUntilServingAsync()
    {
        try
        {
            BaseAddress = await _listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The service did not report its address within {StartTimeout.TotalSeconds} s:\n{Output}");
        }

        // Listening is not serving yet: the first request also waits for the rest of start-up (and its JIT).
        using var probe = CreateClient(apiKey: null);
        await Poll.UntilAsync(async () =>
        {
            Assert.False(_process.HasExited, $"the service exited during start-up:\n{Output}");
            try
            {
                using var response = await probe.GetAsync("/health/live");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, StartTimeout, () => $"the service to answer /health/live:\n{Output}");
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    // Serilog quotes string values in rendered messages.
    [GeneratedRegex(@"Now listening on: ""?(http://[^\s""]+)")]
    private static partial Regex ListeningLine();
}
