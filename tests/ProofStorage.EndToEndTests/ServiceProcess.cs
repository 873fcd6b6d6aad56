using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests;

/// <summary>
/// The built service run the way an operator runs it: <c>dotnet ProofStorage.Api.dll</c> as a child process in the
/// Production environment, configured only through environment variables, on Kestrel on a free loopback port
/// (a browser cannot reach WebApplicationFactory's in-memory TestServer). Storage is the filesystem provider in a
/// temp folder; the encryption key and the API key are made up per run.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private readonly bool _ownsDataPath;

    private ServiceProcess(Process process, string dataPath, string apiKey, bool ownsDataPath)
    {
        _process = process;
        DataPath = dataPath;
        ApiKey = apiKey;
        _ownsDataPath = ownsDataPath;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, as the host reported it.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>An API key with every scope.</summary>
    public string ApiKey { get; }

    public string DataPath { get; }

    /// <summary>What the service wrote to stdout and stderr so far (for failure messages).</summary>
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

    /// <summary>What the process wrote so far (the name the shared test infrastructure uses).</summary>
    public string Output => Log;

    /// <summary>
    /// Starts the service on <paramref name="dataPath"/> (a new temp folder, removed on dispose, when null; a shared one is
    /// left alone, so two processes can run on one store) with <paramref name="environment"/> layered over the defaults.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string? dataPath = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var owns = dataPath is null;
        dataPath ??= TestFolders.New("e2e");
        Directory.CreateDirectory(dataPath);
        var apiKey = "psk_e2e_" + Guid.NewGuid().ToString("N");
        var info = TestProcesses.Dotnet(RepositoryPaths.ServiceAssembly, [], Path.GetDirectoryName(RepositoryPaths.ServiceAssembly));
        foreach (var (name, value) in Environment(dataPath, apiKey))
        {
            info.Environment[name] = value;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var service = new ServiceProcess(Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet."), dataPath, apiKey, owns);
        await service.WaitUntilListeningAsync();
        return service;
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

    /// <summary>Runs <c>dotnet ProofStorage.Api.dll ARGS</c> to completion (a CLI command of the service) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = TestProcesses.Dotnet(RepositoryPaths.ServiceAssembly, args);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start dotnet.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (!_ownsDataPath)
        {
            return;
        }

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private static Dictionary<string, string> Environment(string dataPath, string apiKey)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // Port 0: the kernel picks a free port; the host logs which one ("Now listening on: …").
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ProofStorage__DataPath"] = dataPath,
            ["ProofStorage__Auth__Keys__e2e__Hash"] = TestKeys.ApiKeyHash(apiKey),
            ["ProofStorage__Auth__Keys__e2e__Scopes__0"] = "proofs:read",
            ["ProofStorage__Auth__Keys__e2e__Scopes__1"] = "proofs:write",
            ["ProofStorage__Auth__Keys__e2e__Scopes__2"] = "proofs:delete",
            ["ProofStorage__Auth__Keys__e2e__Scopes__3"] = "admin",
        };
        foreach (var (key, value) in TestKeys.EncryptionSettings("e2e"))
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        return environment;
    }

    private async Task WaitUntilListeningAsync()
    {
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not { } line)
            {
                return;
            }

            lock (_log)
            {
                _log.AppendLine(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        _process.OutputDataReceived += OnLine;
        _process.ErrorDataReceived += OnLine;
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The service exited at start-up:\n" + Log));
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            BaseAddress = await listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The service did not report its address within {StartTimeout.TotalSeconds} s:\n{Log}");
        }
    }

    // Serilog quotes string values in rendered messages.
    [GeneratedRegex(@"Now listening on: ""?(http://[^\s""]+)")]
    private static partial Regex ListeningLine();
}
