using System.Collections.Concurrent;
using System.Text;
using Amazon.Runtime;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ProofStorage.Core;
using ProofStorage.Core.Storage;
using ProofStorage.Providers.S3;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests.S3;

/// <summary>The provider contract on the real server, below the API.</summary>
public sealed class S3StorageProviderTests(S3ServerFixture servers) : IClassFixture<S3ServerFixture>
{
    private readonly string _prefix = S3TestHost.NewPrefix();

    [Fact]
    public async Task CreateIfAbsent_SecondWriterLoses_AndTheFirstBytesStay()
    {
        using var provider = Create();

        Assert.True(await provider.CreateIfAbsentAsync("proofs/one", "first"u8.ToArray(), ObjectMetadata.None, default));
        Assert.False(await provider.CreateIfAbsentAsync("proofs/one", "second"u8.ToArray(), ObjectMetadata.None, default));

        var stored = await provider.GetAsync("proofs/one", default);
        Assert.Equal("first", Encoding.UTF8.GetString(stored!.Content.Span));
        Assert.Equal(S3StorageProvider.Sha256Hex("first"u8), stored.Metadata.Sha256);
    }

    [Fact]
    public async Task ManyConcurrentCreates_ExactlyOneWins()
    {
        using var provider = Create();

        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => provider.CreateIfAbsentAsync("proofs/race", Encoding.UTF8.GetBytes($"writer {i}"), ObjectMetadata.None, default))));

        Assert.Single(created, c => c);
        var winner = Array.IndexOf(created, true);
        Assert.Equal($"writer {winner}", Encoding.UTF8.GetString((await provider.GetAsync("proofs/race", default))!.Content.Span));
    }

    [Fact]
    public async Task CreatesRacingADeleteThatEmptiesTheirFolder_AreAllKept()
    {
        // The server behind the tests must never lose an acknowledged write: the local one used to remove a folder a
        // delete had emptied recursively, taking along the file a concurrent create had just put there (201 from the
        // service, then 404 for the proof it had stored).
        using var provider = Create();
        var lanes = Enumerable.Range(0, 8).Select(lane => Task.Run(async () =>
        {
            var failures = new List<string>();
            for (var i = 0; i < 40; i++)
            {
                var (doomed, kept) = ($"race-{lane}/doomed-{i}", $"race-{lane}/kept-{i}");
                await provider.PutAsync(doomed, "doomed"u8.ToArray(), ObjectMetadata.None, default);
                var created = provider.CreateIfAbsentAsync(kept, "kept"u8.ToArray(), ObjectMetadata.None, default);
                var deleted = provider.DeleteAsync(doomed, default);
                try
                {
                    var (wasCreated, wasDeleted) = (await created, await deleted);
                    if (!wasCreated || !wasDeleted)
                    {
                        failures.Add($"{kept}: created {wasCreated}, deleted {wasDeleted}");
                    }
                    else if (await provider.GetAsync(kept, default) is null)
                    {
                        failures.Add($"{kept}: created, then missing");
                    }
                }
                catch (StorageUnavailableException ex)
                {
                    failures.Add($"{kept}: {ex.Message}");
                }

                await provider.DeleteAsync(kept, default);
            }

            return failures;
        }));

        Assert.Empty((await Task.WhenAll(lanes)).SelectMany(failures => failures));
    }

    [Fact]
    public async Task GetDeleteList_MissesAreNullOrFalse_AndKeysComeBackWithoutThePrefix()
    {
        using var provider = Create();
        await provider.PutAsync("proofs/a", "a"u8.ToArray(), ObjectMetadata.None, default);
        await provider.PutAsync("aliases/b", "b"u8.ToArray(), ObjectMetadata.None, default);

        Assert.Null(await provider.GetAsync("proofs/missing", default));
        Assert.Equal(["proofs/a"], await provider.ListKeysAsync("proofs/", default).ToListAsync());
        Assert.True(await provider.DeleteAsync("proofs/a", default));
        Assert.False(await provider.DeleteAsync("proofs/a", default));
        Assert.Empty(await provider.ListKeysAsync("proofs/", default).ToListAsync());
    }

    [Fact]
    public async Task Remove_DeletesTheObject_AndAnObjectAlreadyGoneIsNoError()
    {
        using var provider = Create();
        await provider.PutAsync("proofs/r", "r"u8.ToArray(), ObjectMetadata.None, default);
        await provider.PutAsync("proofs/kept", "k"u8.ToArray(), ObjectMetadata.None, default);

        await provider.RemoveAsync("proofs/r", default);
        // Another instance's delete got there first: the caller read the object a moment ago, its remove must not fail.
        await provider.RemoveAsync("proofs/r", default);
        await provider.RemoveAsync("proofs/never-there", default);

        Assert.Null(await provider.GetAsync("proofs/r", default));
        Assert.Equal(["proofs/kept"], await provider.ListKeysAsync("proofs/", default).ToListAsync());
    }

    [Fact]
    public async Task ObjectWhoseBytesDoNotMatchItsStoredSha256_IsAnIntegrityFailureNotData()
    {
        using var provider = Create();
        using var raw = S3TestHost.RawClient(servers.Primary);
        var request = new PutObjectRequest
        {
            BucketName = S3Server.Bucket, Key = _prefix + "proofs/forged", ContentBody = "tampered", UseChunkEncoding = false,
        };
        request.Metadata[S3StorageProvider.Sha256Header] = S3StorageProvider.Sha256Hex("original"u8);
        await raw.PutObjectAsync(request);

        var error = await Assert.ThrowsAsync<ProofIntegrityException>(() => provider.GetAsync("proofs/forged", default));
        Assert.Equal(IntegrityFailureKind.ChecksumMismatch, error.Kind);
    }

    [Fact]
    public async Task ObjectWhoseBytesRotOnTheServer_IsAChecksumMismatchFoundByTheSdksBodyHash()
    {
        using var provider = Create();
        Assert.True(await provider.CreateIfAbsentAsync("proofs/rot", "the bytes as they were written"u8.ToArray(), ObjectMetadata.None, default));

        // Bit rot: the server serves other bytes under the ETag (MD5) of the original ones.
        var file = servers.Primary.ObjectFile(_prefix + "proofs/rot");
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(file, bytes);

        var error = await Assert.ThrowsAsync<ProofIntegrityException>(() => provider.GetAsync("proofs/rot", default));

        Assert.Equal(IntegrityFailureKind.ChecksumMismatch, error.Kind);
        // The SDK's own check caught it while the body was read (before the provider's SHA-256 check could).
        Assert.IsAssignableFrom<Amazon.Runtime.AmazonClientException>(error.InnerException);
    }

    [Fact]
    public async Task UnreachableEndpoint_IsStorageUnavailable_AndUnhealthy()
    {
        using var provider = Create(endpoint: "http://127.0.0.1:9");

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => provider.GetAsync("proofs/x", default));

        Assert.Equal("test", error.Provider);
        Assert.False((await provider.CheckHealthAsync(default)).IsHealthy);
    }

    [Fact]
    public async Task CheckHealth_ProbedRepeatedlyWithinTheCacheWindow_SendsOneReadAndNoWrite()
    {
        var wire = new ConcurrentQueue<CapturedRequest>();
        var time = new FakeTimeProvider();
        using var provider = Create(services => services.AddSingleton<HttpClientFactory>(CapturingHandler.ClientFactory(wire)).AddSingleton<TimeProvider>(time));
        var step = S3StorageProvider.HealthCacheDuration / 10;

        for (var i = 0; i < 9; i++)
        {
            var health = await provider.CheckHealthAsync(default);
            Assert.True(health.IsHealthy, health.Description);
            time.Advance(step);
        }

        var probe = Assert.Single(wire);
        Assert.Equal("GET", probe.Method);
        Assert.EndsWith("/.health/probe", probe.Path, StringComparison.Ordinal);

        // Past the window the next probe asks the server again: once.
        time.Advance(S3StorageProvider.HealthCacheDuration);
        Assert.True((await provider.CheckHealthAsync(default)).IsHealthy);
        Assert.True((await provider.CheckHealthAsync(default)).IsHealthy);
        Assert.Equal(2, wire.Count);
        Assert.All(wire, r => Assert.Equal("GET", r.Method));
    }

    [Fact]
    public async Task CheckHealth_AfterACallFailedAsUnavailable_AsksTheServerAgainWithinTheWindow()
    {
        var time = new FakeTimeProvider();
        await using var server = await S3Server.StartAsync();
        var settings = new Dictionary<string, string?>();
        S3TestHost.Configure(settings, "Primary", server, "S3", _prefix);
        using var provider = Create(services => services.AddSingleton<TimeProvider>(time), settings);
        Assert.True((await provider.CheckHealthAsync(default)).IsHealthy);

        await server.KillAsync();
        await Assert.ThrowsAsync<StorageUnavailableException>(() => provider.GetAsync("proofs/x", default));

        Assert.False((await provider.CheckHealthAsync(default)).IsHealthy);
    }

    [Fact]
    public async Task CheckHealth_MissingBucket_IsUnhealthyThoughTheServerAnswers()
    {
        var settings = new Dictionary<string, string?>();
        S3TestHost.Configure(settings, "Primary", servers.Primary, "S3", _prefix);
        settings["ProofStorage:Storage:Primary:Bucket"] = "no-such-bucket";
        using var provider = Create(settings: settings);

        var health = await provider.CheckHealthAsync(default);

        Assert.False(health.IsHealthy);
        Assert.Contains("NoSuchBucket", health.Description, StringComparison.Ordinal);
    }

    /// <summary>
    /// A provider built as the service builds it (options bound from configuration and validated, then the S3
    /// factory), on the shared server under this test's prefix unless <paramref name="settings"/> say otherwise.
    /// </summary>
    private S3StorageProvider Create(Action<IServiceCollection>? configure = null, Dictionary<string, string?>? settings = null, string? endpoint = null)
    {
        if (settings is null)
        {
            settings = [];
            S3TestHost.Configure(settings, "Primary", servers.Primary, "S3", _prefix);
        }

        if (endpoint is not null)
        {
            settings["ProofStorage:Storage:Primary:ServiceUrl"] = endpoint;
        }

        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddS3StorageProvider();
        configure?.Invoke(services);
        var factory = services.BuildServiceProvider().GetServices<IStorageProviderFactory>().Single(f => f.Type == "S3");
        return (S3StorageProvider)factory.Create("test", "Primary");
    }
}
