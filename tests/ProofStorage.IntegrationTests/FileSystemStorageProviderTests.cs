using System.Text;
using ProofStorage.Core.Storage;
using ProofStorage.Providers.FileSystem;
using ProofStorage.Testing;

namespace ProofStorage.IntegrationTests;

public sealed class FileSystemStorageProviderTests : IDisposable
{
    private readonly string _root = TestFolders.New("fs");
    private readonly FileSystemStorageProvider _provider;

    public FileSystemStorageProviderTests()
    {
        _provider = new FileSystemStorageProvider("fs", new FileSystemStorageOptions { Path = _root });
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task CreateIfAbsentAsync_ManyConcurrentWriters_ExactlyOneWinsAndItsBytesAreIntact()
    {
        var bodies = Enumerable.Range(0, 100).Select(i => Encoding.UTF8.GetBytes(new string((char)('a' + (i % 26)), 64 * 1024) + i)).ToArray();

        var created = await Task.WhenAll(bodies.Select(body => Task.Run(() => _provider.CreateIfAbsentAsync("proofs/SameKeyForEveryone", body, ObjectMetadata.None, default))));

        Assert.Single(created, c => c);
        var winner = bodies[Array.IndexOf(created, true)];
        var stored = await _provider.GetAsync("proofs/SameKeyForEveryone", default);
        Assert.Equal(winner, stored!.Content.ToArray());
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task CreateIfAbsentAsync_TwoProviderInstancesOnOneFolder_ExactlyOneWins()
    {
        var other = new FileSystemStorageProvider("fs2", new FileSystemStorageOptions { Path = _root });

        for (var round = 0; round < 20; round++)
        {
            var key = $"proofs/Contended{round}";
            var created = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
                Task.Run(() => (i % 2 == 0 ? _provider : other).CreateIfAbsentAsync(key, new byte[] { (byte)i }, ObjectMetadata.None, default))));

            Assert.Single(created, c => c);
        }
    }

    [Fact]
    public async Task PutAsync_ReplacesAtomically_ReadersSeeOldOrNewOnly()
    {
        var a = new byte[256 * 1024];
        var b = Enumerable.Repeat((byte)1, 256 * 1024).ToArray();
        await _provider.PutAsync("proofs/Flip", a, ObjectMetadata.None, default);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await _provider.PutAsync("proofs/Flip", i % 2 == 0 ? b : a, ObjectMetadata.None, default);
            }
        });

        while (!writer.IsCompleted)
        {
            var read = (await _provider.GetAsync("proofs/Flip", default))!.Content.ToArray();
            Assert.True(read.AsSpan().SequenceEqual(a) || read.AsSpan().SequenceEqual(b), "a reader saw a partial object");
        }

        await writer;
    }

    [Fact]
    public async Task GetDeleteList_BehaveAsTheContractSays()
    {
        Assert.Null(await _provider.GetAsync("proofs/Missing", default));
        Assert.False(await _provider.DeleteAsync("proofs/Missing", default));

        await _provider.CreateIfAbsentAsync("proofs/Aaaa", new byte[] { 1 }, ObjectMetadata.None, default);
        await _provider.CreateIfAbsentAsync("proofs/Bbbb", new byte[] { 2 }, ObjectMetadata.None, default);
        await _provider.CreateIfAbsentAsync("aliases/legacy-1", new byte[] { 3 }, ObjectMetadata.None, default);

        var keys = new List<string>();
        await foreach (var key in _provider.ListKeysAsync("proofs/", default))
        {
            keys.Add(key);
        }

        Assert.Equal(["proofs/Aaaa", "proofs/Bbbb"], keys.Order(StringComparer.Ordinal));
        Assert.True(await _provider.DeleteAsync("proofs/Aaaa", default));
        Assert.Null(await _provider.GetAsync("proofs/Aaaa", default));
        Assert.True((await _provider.CheckHealthAsync(default)).IsHealthy);
    }

    [Fact]
    public async Task AnyOperation_TraversalKey_IsRejectedWithoutTouchingTheDisk()
    {
        var outside = Path.Combine(Path.GetDirectoryName(_root)!, "outside-" + Guid.NewGuid().ToString("N"));

        await Assert.ThrowsAsync<ArgumentException>(() => _provider.CreateIfAbsentAsync("../" + Path.GetFileName(outside), new byte[] { 1 }, ObjectMetadata.None, default));
        await Assert.ThrowsAsync<ArgumentException>(() => _provider.GetAsync("proofs/../../etc/passwd", default));
        Assert.False(File.Exists(outside));
    }
}

/// <summary>The filesystem's <see cref="IObjectMaintenance"/>: what the scrub and re-encryption rely on.</summary>
public sealed class FileSystemObjectMaintenanceTests : IDisposable
{
    private readonly string _root = TestFolders.New("fs-maintenance");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task ListObjects_IsInOrdinalKeyOrder_AcrossFanOutFolders_AndResumesAfterAKey()
    {
        var provider = new FileSystemStorageProvider("fs", new FileSystemStorageOptions { Path = _root, FlushToDisk = false });
        string[] names = ["b", "Ab", "A", "AB-c", "AbZ", "a_", "zz", "-x", "_y", "9"];
        foreach (var name in names)
        {
            Assert.True(await provider.CreateIfAbsentAsync("aliases/" + name, Encoding.UTF8.GetBytes(name), ObjectMetadata.None, default));
        }

        await provider.CreateIfAbsentAsync("proofs/other-folder", new byte[] { 1 }, ObjectMetadata.None, default);
        var expected = names.Select(n => "aliases/" + n).Order(StringComparer.Ordinal).ToList();

        var listed = await provider.ListObjectsAsync("aliases/", null, default).ToListAsync();
        Assert.Equal(expected, listed.Select(e => e.Key));
        Assert.All(listed, e => Assert.Equal(e.Key.Length - "aliases/".Length, e.Size));

        var resumed = await provider.ListObjectsAsync("aliases/", expected[4], default).Select(e => e.Key).ToListAsync();
        Assert.Equal(expected.Skip(5), resumed);
    }

    [Fact]
    public async Task ListObjects_ListsDeeperFoldersKeysToo_InOrdinalOrder_AndResumesInsideOne()
    {
        // The C2PA index's layout: bindings/{22-character digest}/{proofId}, beside a key directly in the folder.
        var provider = new FileSystemStorageProvider("fs", new FileSystemStorageOptions { Path = _root, FlushToDisk = false });
        string[] keys =
        [
            "bindings/AAAAAAAAAAAAAAAAAAAAAA/p2", "bindings/AAAAAAAAAAAAAAAAAAAAAA/p1", "bindings/AAAAAAAAAAAAAAAAAAAAAA0", "bindings/AAAAAAAAAAAAAAAAAAAAA-",
            "bindings/zzzzzzzzzzzzzzzzzzzzzz/a", "bindings/B-BBBBBBBBBBBBBBBBBBBB/x", "bindings/B-BBBBBBBBBBBBBBBBBBBB/_y",
        ];
        foreach (var key in keys)
        {
            Assert.True(await provider.CreateIfAbsentAsync(key, Encoding.UTF8.GetBytes(key), ObjectMetadata.None, default));
        }

        await provider.CreateIfAbsentAsync("manifests/CCCCCCCCCCCCCCCCCCCCCC/p1", new byte[] { 1 }, ObjectMetadata.None, default);
        var expected = keys.Order(StringComparer.Ordinal).ToList();

        var listed = await provider.ListObjectsAsync("bindings/", null, default).ToListAsync();
        Assert.Equal(expected, listed.Select(e => e.Key));
        Assert.All(listed, e => Assert.Equal(e.Key.Length, e.Size));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected.Skip(i + 1), await provider.ListObjectsAsync("bindings/", expected[i], default).Select(e => e.Key).ToListAsync());
        }
    }

    [Fact]
    public async Task ConditionalReplaceAndDelete_OnlyOnTheVersionRead_AndOneWinnerAcrossInstancesSharingTheFolder()
    {
        var first = new FileSystemStorageProvider("fs", new FileSystemStorageOptions { Path = _root, FlushToDisk = false });
        var second = new FileSystemStorageProvider("fs2", new FileSystemStorageOptions { Path = _root, FlushToDisk = false });
        var version = await first.TryCreateAsync("proofs/k", "v1"u8.ToArray(), default);
        Assert.NotNull(version);
        Assert.Null(await first.TryCreateAsync("proofs/k", "other"u8.ToArray(), default));
        Assert.Equal(version, (await second.GetVersionedAsync("proofs/k", default))!.Version);

        // Many writers, two instances, the same version read: exactly one replace wins; the losers wrote nothing.
        var bodies = Enumerable.Range(0, 40).Select(i => Encoding.UTF8.GetBytes($"v2-{i}")).ToArray();
        var results = await Task.WhenAll(bodies.Select((body, i) => Task.Run(() => (i % 2 == 0 ? first : second).TryReplaceAsync("proofs/k", body, version!, default))));
        var winner = Assert.Single(results, r => r is not null);
        var stored = await first.GetVersionedAsync("proofs/k", default);
        Assert.Equal(winner, stored!.Version);
        Assert.Contains(bodies, b => b.AsSpan().SequenceEqual(stored.Content.Span));

        Assert.False(await second.TryDeleteAsync("proofs/k", version!, default));
        Assert.True(await second.TryDeleteAsync("proofs/k", winner!, default));
        Assert.Null(await first.TryReplaceAsync("proofs/k", "v3"u8.ToArray(), winner!, default));
        Assert.Null(await first.GetAsync("proofs/k", default));
        Assert.Empty(await first.ListKeysAsync("", default).ToListAsync());
    }
}
