using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using ProofStorage.Core;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Storage;
using ProofStorage.Migrate.Console;
using ProofStorage.Migrate.Hosting;
using ProofStorage.Migrate.Migration;
using ProofStorage.Migrate.Sources;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests;

/// <summary>The runner over a target that fails: transient errors are retried with backoff, and what still fails is reported and retried by the next run.</summary>
public sealed class TransientFailureTests : IDisposable
{
    private readonly MigrationWorkspace _workspace = new();

    [Fact]
    public async Task TransientStorageErrors_AreRetried_AndEveryProofStillVerifies()
    {
        var legacy = LegacyFolder.Create(_workspace.LegacyPath, unique: 20, exactDuplicates: 4, withInvalid: false);
        var flaky = new EveryNthCallFails(new InMemoryStorageProvider("flaky"), 3);
        using var host = BuildTarget(flaky);
        var state = new MigrationState();

        var result = await Runner(host, legacy, retries: 8).RunAsync(state, CancellationToken.None);

        Assert.Equal(ExitCodes.Success, MigrationSummary.ExitCodeFor(result));
        Assert.True(result.Retries > 0);
        Assert.Equal(legacy.Valid, state.Counts.Verified);
        Assert.Empty(state.Problems);
    }

    [Fact]
    public async Task StorageDownAfterRetries_FailsItemsWithTheReason_AndTheNextRunMigratesThem()
    {
        var legacy = LegacyFolder.Create(_workspace.LegacyPath, unique: 10, exactDuplicates: 2, withInvalid: false);
        var chaos = new ChaosStorageProvider(new InMemoryStorageProvider("down")) { Unavailable = true };
        using var host = BuildTarget(chaos);
        var state = new MigrationState();

        var first = await Runner(host, legacy, retries: 2).RunAsync(state, CancellationToken.None);

        Assert.Equal(ExitCodes.Failures, MigrationSummary.ExitCodeFor(first));
        Assert.Equal(legacy.Valid, state.Problems.Count);
        Assert.All(state.Problems.Values, p =>
        {
            Assert.Equal(ItemStatus.Failed, p.Status);
            Assert.Contains("storage unavailable", p.Reason, StringComparison.Ordinal);
        });

        chaos.Unavailable = false;
        var second = await Runner(host, legacy, retries: 2).RunAsync(state, CancellationToken.None);

        Assert.Equal(ExitCodes.Success, MigrationSummary.ExitCodeFor(second));
        Assert.Equal(legacy.Valid, second.ProcessedThisRun);
        Assert.Equal(legacy.Valid, state.Counts.Verified);
        Assert.Empty(state.Problems);
    }

    private static IHost BuildTarget(IStorageProvider provider)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(TestKeys.EncryptionSettings("k1"));
        builder.Services.AddSingleton(provider);
        builder.Services.AddSingleton<IProofCache, PassThroughProofCache>();
        builder.Services.AddProofStorageCore();
        return builder.Build();
    }

    private static MigrationRunner Runner(IHost host, LegacyFolder legacy, int retries)
    {
        var settings = new MigrationSettings { Verify = true, BatchSize = 5, Parallelism = 4, Retries = retries, RetryDelay = TimeSpan.FromMilliseconds(1) };
        return new MigrationRunner(settings, new LegacyFolderSource(legacy.Path, 1 << 20), host.Services.GetRequiredService<StorageManager>(),
            "test target", new PlainProgressView(TextWriter.Null, TimeSpan.FromHours(1)), NullLogger.Instance);
    }

    public void Dispose() => _workspace.Dispose();

    /// <summary>Every n-th provider call throws <see cref="StorageUnavailableException"/> (deterministic flakiness).</summary>
    private sealed class EveryNthCallFails(IStorageProvider inner, int n) : IStorageProvider
    {
        private int _calls;

        public string Name => inner.Name;

        public async Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
        {
            Disturb();
            return await inner.GetAsync(key, cancellationToken);
        }

        public async Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
        {
            Disturb();
            return await inner.CreateIfAbsentAsync(key, content, metadata, cancellationToken);
        }

        public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
        {
            Disturb();
            await inner.PutAsync(key, content, metadata, cancellationToken);
        }

        public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
        {
            Disturb();
            return await inner.DeleteAsync(key, cancellationToken);
        }

        public IAsyncEnumerable<string> ListKeysAsync(string prefix, CancellationToken cancellationToken) => inner.ListKeysAsync(prefix, cancellationToken);

        public Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) => inner.CheckHealthAsync(cancellationToken);

        private void Disturb()
        {
            if (Interlocked.Increment(ref _calls) % n == 0)
            {
                throw new StorageUnavailableException(Name, "flaky: try again");
            }
        }
    }
}
