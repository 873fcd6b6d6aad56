using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ProofStorage.Testing;

/// <summary>
/// A real <c>redis-server</c> child process on a free loopback port with persistence off
/// (<c>--save '' --appendonly no</c>), with chaos controls: <see cref="KillAsync"/>, <see cref="RestartAsync"/> (same
/// port), <see cref="Freeze"/> (SIGSTOP) and <see cref="Thaw"/> (SIGCONT).
/// </summary>
/// <remarks>
/// <see cref="StartAsync"/> uses an existing server when <c>PROOFSTORAGE_TEST_REDIS</c> is set (<c>host:port</c>,
/// e.g. a CI service container); chaos controls then throw, so tests that need them use
/// <see cref="StartLocalAsync"/>. A missing <c>redis-server</c> fails the test with a message saying how to install
/// it: the suite never skips silently.
/// </remarks>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Environment variable naming an existing Redis (<c>host:port</c>) to use instead of a child process.</summary>
    public const string EnvironmentVariable = "PROOFSTORAGE_TEST_REDIS";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string? _maxMemory;
    private Process? _process;
    private bool _frozen;

    private RedisServer(string host, int port, bool external, string? maxMemory, string? password = null)
    {
        Host = host;
        Port = port;
        IsExternal = external;
        _maxMemory = maxMemory;
        Password = password;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>True when the server was not started by this fixture (chaos controls unavailable).</summary>
    public bool IsExternal { get; }

    /// <summary><c>host:port</c> of this server.</summary>
    public string Endpoint => $"{Host}:{Port}";

    /// <summary>The password clients must AUTH with (<c>--requirepass</c>), or null.</summary>
    public string? Password { get; }

    /// <summary>StackExchange.Redis configuration string for this server (with its password, if any).</summary>
    public string Configuration => Password is null ? Endpoint : $"{Endpoint},password={Password}";

    /// <summary>Process id of the child (null for an external server or after a kill).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>The server from <c>PROOFSTORAGE_TEST_REDIS</c>, else a new child process.</summary>
    public static async Task<RedisServer> StartAsync(string? maxMemory = null)
    {
        var existing = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(existing))
        {
            var separator = existing.LastIndexOf(':');
            if (separator <= 0 || !int.TryParse(existing.AsSpan(separator + 1), out var port))
            {
                throw new InvalidOperationException($"{EnvironmentVariable}='{existing}' is not host:port.");
            }

            var server = new RedisServer(existing[..separator], port, external: true, maxMemory);
            await server.WaitForPingAsync(StartTimeout).ConfigureAwait(false);
            return server;
        }

        return await StartLocalAsync(maxMemory).ConfigureAwait(false);
    }

    /// <summary>
    /// Always a new child process (for tests that kill, restart or freeze it), on <paramref name="port"/> or a free one;
    /// with <paramref name="password"/>, clients must authenticate (<c>--requirepass</c>).
    /// </summary>
    public static async Task<RedisServer> StartLocalAsync(string? maxMemory = null, int? port = null, string? password = null)
    {
        var server = new RedisServer("127.0.0.1", port ?? FreePort(), external: false, maxMemory, password);
        await server.LaunchAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>A free loopback port nothing listens on (for "Redis absent" tests).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>SIGKILL, then waits until the port is free.</summary>
    public async Task KillAsync()
    {
        var process = RequireLocal();
        Thaw();
        process.Kill();
        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
        _process = null;
        var deadline = Stopwatch.StartNew();
        while (await CanConnectAsync().ConfigureAwait(false))
        {
            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"Port {Port} still accepts connections after redis-server was killed.");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a new (empty) server on the same port.</summary>
    public async Task RestartAsync()
    {
        if (IsExternal)
        {
            throw new InvalidOperationException($"Cannot restart an external Redis ({EnvironmentVariable}); use {nameof(StartLocalAsync)}.");
        }

        if (_process is not null)
        {
            await KillAsync().ConfigureAwait(false);
        }

        await LaunchAsync().ConfigureAwait(false);
    }

    /// <summary>SIGSTOP: the server keeps its connections open but answers nothing.</summary>
    public void Freeze()
    {
        TestProcesses.Signal(RequireLocal().Id, "STOP");
        _frozen = true;
    }

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw()
    {
        if (_frozen && _process is { HasExited: false } process)
        {
            TestProcesses.Signal(process.Id, "CONT");
        }

        _frozen = false;
    }

    /// <summary>Sends one command (inline protocol) and returns the raw reply text; for test set-up and checks.</summary>
    public Task<string> CommandAsync(string command, TimeSpan? timeout = null) => CommandAsync(Host, Port, command, timeout, Password);

    /// <summary>Sends one command (inline protocol) to any Redis, after <c>AUTH</c> when a password is given, and returns the raw reply text.</summary>
    public static async Task<string> CommandAsync(string host, int port, string command, TimeSpan? timeout = null, string? password = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
        var stream = client.GetStream();
        var buffer = new byte[4096];
        if (password is not null)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"AUTH {password}\r\n"), cts.Token).ConfigureAwait(false);
            var auth = Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false));
            if (!auth.StartsWith("+OK", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"AUTH refused by {host}:{port}: {auth.Trim()}");
            }
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), cts.Token).ConfigureAwait(false);
        var read = await stream.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            Thaw();
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync().ConfigureAwait(false);
            }

            process.Dispose();
            _process = null;
        }
    }

    private async Task LaunchAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--protected-mode", "no" })
        {
            info.ArgumentList.Add(argument);
        }

        if (Password is not null)
        {
            info.ArgumentList.Add("--requirepass");
            info.ArgumentList.Add(Password);
        }

        if (_maxMemory is not null)
        {
            info.ArgumentList.Add("--maxmemory");
            info.ArgumentList.Add(_maxMemory);
            info.ArgumentList.Add("--maxmemory-policy");
            info.ArgumentList.Add("allkeys-lru");
        }

        try
        {
            _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                "redis-server is not installed: run `bash scripts/install-test-deps.sh` (apt-get install redis-server), " +
                $"or set {EnvironmentVariable}=host:port to use an existing Redis.", ex);
        }

        // Drain the output so the child never blocks on a full pipe.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitForPingAsync(StartTimeout).ConfigureAwait(false);
    }

    private async Task WaitForPingAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < timeout)
        {
            if (_process is { HasExited: true } exited)
            {
                throw new InvalidOperationException($"redis-server exited with code {exited.ExitCode} before answering on port {Port}.");
            }

            try
            {
                if ((await CommandAsync("PING", TimeSpan.FromSeconds(1)).ConfigureAwait(false)).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                last = ex;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        throw new TimeoutException($"Redis at {Endpoint} did not answer PING within {timeout}.", last);
    }

    private async Task<bool> CanConnectAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await client.ConnectAsync(Host, Port, cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private Process RequireLocal() =>
        _process ?? throw new InvalidOperationException(IsExternal
            ? $"Cannot control an external Redis ({EnvironmentVariable}); use {nameof(StartLocalAsync)}."
            : "redis-server is not running.");
}
