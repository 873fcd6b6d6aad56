using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace ProofStorage.Testing;

/// <summary>
/// A real S3-protocol server for tests: the patched local server (tests/backends) run as a child process on a
/// free loopback port with its own data folder, or an existing endpoint given by the environment (CI service
/// containers). A local server can be killed, stopped and restarted on the same port and folder, frozen
/// (SIGSTOP) and thawed (SIGCONT).
/// </summary>
public sealed partial class S3Server : IAsyncDisposable
{
    /// <summary>The bucket every server is started with.</summary>
    public const string Bucket = "proofs";

    /// <summary>Credentials of a local server (it accepts any signature; the SDK still needs some).</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    /// <summary>Credentials of the external servers given by endpoint variables (MinIO needs a secret of 8+ characters).</summary>
    public const string AccessKeyVariable = "PROOFSTORAGE_TEST_S3_ACCESS_KEY";

    public const string SecretKeyVariable = "PROOFSTORAGE_TEST_S3_SECRET_KEY";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private Process? _process;

    private S3Server(string endpoint, string? dataDirectory, int port, bool checkSignatures = false)
    {
        Endpoint = endpoint;
        DataDirectory = dataDirectory;
        Port = port;
        ChecksSignatures = checkSignatures;
    }

    /// <summary>
    /// True when the local server refuses requests whose SigV4 signature does not match (started without
    /// <c>--allow-mismatched-signatures</c>). Off by default: the SDK's bucket-level calls are refused then.
    /// </summary>
    public bool ChecksSignatures { get; }

    /// <summary>The <c>http://127.0.0.1:PORT</c> endpoint.</summary>
    public string Endpoint { get; private set; }

    /// <summary>The server's data folder (local servers only).</summary>
    public string? DataDirectory { get; }

    public int Port { get; private set; }

    /// <summary>The access key to sign with: <see cref="AccessKey"/> locally, <see cref="AccessKeyVariable"/> (if set) for an external server.</summary>
    public string AccessKeyId { get; private init; } = AccessKey;

    public string SecretAccessKey { get; private init; } = SecretKey;

    /// <summary>True when this fixture owns the process (so it can kill, freeze or restart it).</summary>
    public bool IsLocal => DataDirectory is not null;

    /// <summary>True while the local process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a local server on a free port with a new temp data folder.</summary>
    /// <param name="checkSignatures">Refuse mismatched signatures (see <see cref="ChecksSignatures"/>).</param>
    /// <param name="credentials">An access key and secret the server accepts (and, checking signatures, requires) instead of the default pair.</param>
    public static async Task<S3Server> StartAsync(bool checkSignatures = false, (string AccessKeyId, string SecretAccessKey)? credentials = null)
    {
        var dataDirectory = TestFolders.New("s3");
        Directory.CreateDirectory(dataDirectory);
        var server = new S3Server(string.Empty, dataDirectory, 0, checkSignatures)
        {
            AccessKeyId = credentials?.AccessKeyId ?? AccessKey,
            SecretAccessKey = credentials?.SecretAccessKey ?? SecretKey,
        };
        await server.LaunchAsync();
        return server;
    }

    /// <summary>
    /// Uses the endpoint in <paramref name="variable"/> when set (its bucket <see cref="Bucket"/> must exist; credentials
    /// from <see cref="AccessKeyVariable"/> / <see cref="SecretKeyVariable"/> when set), otherwise starts a local server.
    /// </summary>
    public static async Task<S3Server> FromEnvironmentOrStartAsync(string variable)
    {
        var endpoint = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(endpoint)
            ? await StartAsync()
            : new S3Server(endpoint.TrimEnd('/'), null, new Uri(endpoint).Port)
            {
                AccessKeyId = Environment.GetEnvironmentVariable(AccessKeyVariable) is { Length: > 0 } id ? id : AccessKey,
                SecretAccessKey = Environment.GetEnvironmentVariable(SecretKeyVariable) is { Length: > 0 } secret ? secret : SecretKey,
            };
    }

    /// <summary>Where the local server keeps the bytes of an object (editing it simulates bit rot).</summary>
    public string ObjectFile(string objectKey) =>
        Path.Combine(RequireLocal().DataDirectory!, Bucket, objectKey.Replace('/', Path.DirectorySeparatorChar) + "._S3rver_object");

    /// <summary>SIGKILL: the process dies at once, as in a crash.</summary>
    public async Task KillAsync()
    {
        var process = RequireLocal()._process ?? throw new InvalidOperationException("The server is not running.");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    /// <summary>Starts the server again on the same port and data folder.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            await KillAsync();
        }

        await LaunchAsync();
    }

    /// <summary>SIGSTOP: the process keeps its sockets open but answers nothing.</summary>
    public Task FreezeAsync() => SignalAsync("STOP");

    /// <summary>SIGCONT after <see cref="FreezeAsync"/>.</summary>
    public Task ThawAsync() => SignalAsync("CONT");

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                await SignalAsync("CONT");
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            _process = null;
        }

        if (DataDirectory is not null)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private S3Server RequireLocal() => IsLocal
        ? this
        : throw new InvalidOperationException("This test needs a local S3 server process it can control; it cannot kill or freeze an external endpoint.");

    private async Task SignalAsync(string signal)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {process.Id.ToString(CultureInfo.InvariantCulture)}") { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
    }

    private async Task LaunchAsync()
    {
        var backends = FindBackends();
        var cli = Path.Combine(backends, "node_modules", "@20minutes", "s3rver", "lib", "cli.js");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException(
                $"The local S3 server is not installed ({cli} is missing). Run `bash scripts/install-test-deps.sh` from the repository root, " +
                "or set PROOFSTORAGE_TEST_S3_ENDPOINT (and PROOFSTORAGE_TEST_S3_ENDPOINT_2) to existing servers with a bucket named 'proofs'.");
        }

        for (var attempt = 1; ; attempt++)
        {
            var info = new ProcessStartInfo("node")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = backends,
            };
            foreach (var argument in new[]
                     {
                         Path.Combine(backends, "start-s3rver.js"), "-d", DataDirectory!, "-a", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture),
                         "--configure-bucket", Bucket, "-s",
                     })
            {
                info.ArgumentList.Add(argument);
            }

            if (!ChecksSignatures)
            {
                info.ArgumentList.Add("--allow-mismatched-signatures");
            }

            info.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
            info.Environment["S3RVER_ACCESS_KEY_ID"] = AccessKeyId;
            info.Environment["S3RVER_SECRET_ACCESS_KEY"] = SecretAccessKey;
            var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start node.");
            var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var errors = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && ListeningLine().Match(line) is { Success: true } match)
                {
                    listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    lock (errors)
                    {
                        errors.AppendLine(line);
                    }
                }
            };
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The local S3 server exited at start-up: " + errors));
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                Port = await listening.Task.WaitAsync(StartTimeout);
                Endpoint = $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";
                _process = process;
                return;
            }
            catch (Exception) when (attempt < 20 && Port != 0)
            {
                // Restarting on a port the killed process held: wait until the kernel lets it go.
                KillQuietly(process);
                await Task.Delay(100);
            }
            catch
            {
                KillQuietly(process);
                throw;
            }
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    private static string FindBackends()
    {
        var backends = Path.Combine(TestPaths.RepositoryRoot, "tests", "backends");
        return File.Exists(Path.Combine(backends, "start-s3rver.js"))
            ? backends
            : throw new InvalidOperationException($"{backends}/start-s3rver.js is missing.");
    }

    [GeneratedRegex(@"S3rver listening on [^:\s]+:(\d+)")]
    private static partial Regex ListeningLine();
}

/// <summary>
/// Two S3 servers (primary and secondary) shared by a test class: endpoints from
/// <c>PROOFSTORAGE_TEST_S3_ENDPOINT</c> / <c>PROOFSTORAGE_TEST_S3_ENDPOINT_2</c> when set, otherwise local processes.
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public S3Server Primary { get; private set; } = null!;

    public S3Server Secondary { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var servers = await Task.WhenAll(
            S3Server.FromEnvironmentOrStartAsync("PROOFSTORAGE_TEST_S3_ENDPOINT"),
            S3Server.FromEnvironmentOrStartAsync("PROOFSTORAGE_TEST_S3_ENDPOINT_2"));
        Primary = servers[0];
        Secondary = servers[1];
    }

    public async Task DisposeAsync()
    {
        if (Primary is not null)
        {
            await Primary.DisposeAsync();
        }

        if (Secondary is not null)
        {
            await Secondary.DisposeAsync();
        }
    }
}
