using System.Text;
using Amazon.S3.Model;
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
    public async Task UnreachableEndpoint_IsStorageUnavailable_AndUnhealthy()
    {
        using var provider = Create("http://127.0.0.1:9");

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => provider.GetAsync("proofs/x", default));

        Assert.Equal("test", error.Provider);
        Assert.False((await provider.CheckHealthAsync(default)).IsHealthy);
    }

    private S3StorageProvider Create(string? endpoint = null)
    {
        var settings = new Dictionary<string, string?>();
        S3TestHost.Configure(settings, "Primary", servers.Primary, "S3", _prefix);
        if (endpoint is not null)
        {
            settings["ProofStorage:Storage:Primary:ServiceUrl"] = endpoint;
        }

        var section = new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("ProofStorage:Storage:Primary");
        var factory = new S3StorageProviderFactory("S3", new ServiceCollection().BuildServiceProvider());
        return (S3StorageProvider)factory.Create("test", section);
    }
}
