using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Caching;
using StackExchange.Redis;

namespace ProofStorage.Caching.Redis;

/// <summary>
/// The one Redis connection of the process, shared by the L2 and the backplane. Configured to fail fast: commands
/// fail at once while disconnected (<see cref="BacklogPolicy.FailFast"/>), timeouts of a few hundred milliseconds,
/// <c>AbortOnConnectFail=false</c> so the client keeps reconnecting on its own. The connect starts in the
/// background when the host starts; start-up never waits for Redis. Also samples server figures for statistics.
/// </summary>
internal sealed class RedisConnection : IHostedService, IAsyncDisposable
{
    private readonly RedisProofCacheOptions _options;
    private readonly ILogger<RedisConnection> _logger;
    private readonly Lazy<Task<IConnectionMultiplexer>> _connect;
    private readonly CancellationTokenSource _stopping = new();
    private volatile DistributedLevelStatus? _status;
    private Task? _sampler;
    private int _disposed;

    public RedisConnection(IOptions<RedisProofCacheOptions> options, ILogger<RedisConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _connect = new Lazy<Task<IConnectionMultiplexer>>(ConnectAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The multiplexer; the first call starts connecting (waits at most the connect timeout).</summary>
    public Task<IConnectionMultiplexer> GetAsync() => _connect.Value;

    /// <summary>Connected now (false while connecting or when Redis is away).</summary>
    public bool IsConnected => _connect.IsValueCreated && _connect.Value.IsCompletedSuccessfully && _connect.Value.Result.IsConnected;

    /// <summary>The last sampled server figures (null before the first sample).</summary>
    public DistributedLevelStatus Status
    {
        get
        {
            var connected = IsConnected;
            var status = _status;
            return status is null ? new DistributedLevelStatus(connected, 0, 0, 0, null) : status with { Connected = connected };
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Enabled)
        {
            // Background: the host answers from L1 and storage while this completes (or keeps retrying).
            _ = GetAsync();
            _sampler = SampleAsync(_stopping.Token);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host may stop services it has already disposed (WebApplicationFactory races Program's own dispose).
        if (Volatile.Read(ref _disposed) == 0)
        {
            _stopping.Cancel();
        }

        if (_sampler is not null)
        {
            await _sampler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered both as itself and as a hosted service: the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        if (_connect.IsValueCreated && _connect.Value.IsCompletedSuccessfully)
        {
            await _connect.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static ConfigurationOptions BuildConfiguration(RedisProofCacheOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration ?? string.Empty);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        configuration.ConnectRetry = 1;
        configuration.ReconnectRetryPolicy = new LinearRetry((int)options.ReconnectInterval.TotalMilliseconds);
        configuration.KeepAlive = 5;

        // Timeouts are detected on the heartbeat (1 s by default): check often enough to honour a few hundred ms.
        configuration.HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Clamp(options.OperationTimeout.TotalMilliseconds / 2, 50, 1000));
        configuration.ClientName ??= "proofstorage";

        // INFO (server figures for /v1/stats) is an "admin" command to the client; the code issues no other.
        configuration.AllowAdmin = true;
        return configuration;
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        var configuration = BuildConfiguration(_options);
        Log.Connecting(_logger, string.Join(",", configuration.EndPoints.Select(e => e.ToString())), _options.KeyPrefix);

        // With AbortOnConnectFail=false this returns after ConnectTimeout even when Redis is down, and the
        // multiplexer then reconnects by itself.
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) => Log.ConnectionFailed(_logger, e.FailureType.ToString(), e.EndPoint?.ToString() ?? "?");
        multiplexer.ConnectionRestored += (_, e) => Log.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?");
        return multiplexer;
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.StatusInterval);
        do
        {
            try
            {
                var multiplexer = await GetAsync().ConfigureAwait(false);
                if (multiplexer.IsConnected)
                {
                    var database = multiplexer.GetDatabase();
                    var values = ParseInfo((string?)await database.ExecuteAsync("INFO", "memory").ConfigureAwait(false));
                    foreach (var pair in ParseInfo((string?)await database.ExecuteAsync("INFO", "stats").ConfigureAwait(false)))
                    {
                        values[pair.Key] = pair.Value;
                    }

                    var keys = (long)await database.ExecuteAsync("DBSIZE").ConfigureAwait(false);
                    var maxMemory = Number(values, "maxmemory");
                    _status = new DistributedLevelStatus(true, keys, Number(values, "used_memory"), Number(values, "evicted_keys"),
                        maxMemory > 0 ? maxMemory : null);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Statistics only: the sampler must outlive any failure.
                Log.StatusFailed(_logger, ex);
            }
        }
        while (await TickAsync(timer, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ParseInfo(string? info)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (info ?? string.Empty).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[0] != '#')
            {
                values[line[..colon]] = line[(colon + 1)..];
            }
        }

        return values;
    }

    private static long Number(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
