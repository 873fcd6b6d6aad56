using System.Diagnostics;
using System.Runtime.CompilerServices;
using ProofStorage.Core;
using ProofStorage.Core.Storage;

namespace ProofStorage.Providers.FileSystem;

/// <summary>
/// Objects as files under a root folder. <c>proofs/AbCd…</c> is kept at <c>{root}/proofs/Ab/AbCd…</c> (a
/// two-character fan-out keeps folders small).
/// </summary>
/// <remarks>
/// Writes go to a hidden temp file in the target folder, are flushed to disk, then renamed into place, so a
/// reader or a crash never sees a partial object. Create-if-absent publishes the temp file with link(2), which
/// fails atomically when the name exists, under a per-key lock: race-free in the process and between
/// processes sharing the folder (File.Move without overwrite checks then renames, which is not). Keys are checked segment by segment; nothing can
/// resolve outside the root.
/// <para>Replacing, overwriting and deleting an existing object take the key's lock, shared by every process using the
/// folder: one of 256 lock files under <c>{root}/.locks/</c> (picked by a stable hash of the key), held with an exclusive
/// <c>flock</c> (what <see cref="FileShare.None"/> means on Unix). So a conditional replace or delete
/// (<see cref="IObjectMaintenance"/>: compare the current bytes' SHA-256, then act) never interleaves with another
/// process's delete or write of that key. Create-if-absent needs no lock: link(2) is atomic by itself.</para>
/// </remarks>
internal sealed class FileSystemStorageProvider : IStorageProvider, IObjectMaintenance
{
    private const int LockStripes = 64;
    private const int FileLockStripes = 256;
    private readonly SemaphoreSlim[] _locks = [.. Enumerable.Range(0, LockStripes).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly SemaphoreSlim[] _fileLockGates = [.. Enumerable.Range(0, FileLockStripes).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly string _root;
    private readonly string _lockFolder;
    private readonly bool _flushToDisk;

    public FileSystemStorageProvider(string name, FileSystemStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Path));
        _flushToDisk = options.FlushToDisk;
        _lockFolder = Path.Combine(_root, ".locks");
        Directory.CreateDirectory(_root);
    }

    public string Name { get; }

    /// <summary>The absolute root folder.</summary>
    public string Root => _root;

    public async Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        try
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            return new StoredObject(bytes, ObjectMetadata.None);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unavailable("read", ex);
        }
    }

    public async Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        var gate = _locks[(uint)StringComparer.Ordinal.GetHashCode(key) % LockStripes];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(path))
            {
                return false;
            }

            var temp = await WriteTempAsync(path, content, cancellationToken).ConfigureAwait(false);
            try
            {
                // Another process sharing the folder may create it between our check and here: it wins.
                return NoReplaceRename.TryPublish(temp, path);
            }
            finally
            {
                TryDelete(temp);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unavailable("write", ex);
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        try
        {
            var temp = await WriteTempAsync(path, content, cancellationToken).ConfigureAwait(false);
            try
            {
                using var held = await LockKeyAsync(key, cancellationToken).ConfigureAwait(false);
                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                TryDelete(temp);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unavailable("write", ex);
        }
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        try
        {
            using var held = await LockKeyAsync(key, cancellationToken).ConfigureAwait(false);
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unavailable("delete", ex);
        }
    }

    public async IAsyncEnumerable<ObjectEntry> ListObjectsAsync(string folder, string? startAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!folder.EndsWith('/'))
        {
            throw new ArgumentException($"A folder key ends with '/', not '{folder}'.", nameof(folder));
        }

        var directory = Path.Combine(_root, ValidateSegments(folder.TrimEnd('/'), folder));
        await foreach (var entry in ListDirectoryAsync(directory, folder, startAfter, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    /// <summary>
    /// The objects under key folder <paramref name="folder"/> (held in <paramref name="directory"/>), deeper folders' too, in
    /// ordinal key order after <paramref name="startAfter"/>. A two-character directory is a fan-out folder of this folder's
    /// own names; any other is a deeper key folder (the store's key folders are never two characters long).
    /// </summary>
    private static async IAsyncEnumerable<ObjectEntry> ListDirectoryAsync(string directory, string folder, string? startAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        // A deeper key folder "sub" holds exactly the keys starting "sub/": a contiguous range in ordinal order, which sorts
        // before a name of this folder exactly when "sub/" does (names hold no '/'). So the folder's own names, in order,
        // are merged with the deeper folders, each listed whole at its place.
        var after = startAfter is not null && startAfter.StartsWith(folder, StringComparison.Ordinal) ? startAfter[folder.Length..] : null;
        var names = Directory.EnumerateDirectories(directory).Select(Path.GetFileName).OfType<string>().Where(name => name.Length > 0 && name[0] != '.').ToList();
        var deeper = names.Where(name => name.Length != 2).Select(name => name + "/")
            .Where(prefix => after is null || string.CompareOrdinal(prefix, after[..Math.Min(after.Length, prefix.Length)]) >= 0)
            .Order(StringComparer.Ordinal)
            .ToList();
        var next = 0;
        foreach (var entry in OwnNames(directory, folder, after, names.Where(name => name.Length == 2)))
        {
            var name = entry.Key[folder.Length..];
            for (; next < deeper.Count && string.CompareOrdinal(deeper[next], name) < 0; next++)
            {
                await foreach (var inner in ListDirectoryAsync(Path.Combine(directory, deeper[next].TrimEnd('/')), folder + deeper[next], startAfter, cancellationToken)
                    .ConfigureAwait(false))
                {
                    yield return inner;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        for (; next < deeper.Count; next++)
        {
            await foreach (var inner in ListDirectoryAsync(Path.Combine(directory, deeper[next].TrimEnd('/')), folder + deeper[next], startAfter, cancellationToken)
                .ConfigureAwait(false))
            {
                yield return inner;
            }
        }

        await Task.Yield();
    }

    /// <summary>The objects directly in a key folder after <paramref name="after"/> (a name), in ordinal order, one fan-out folder in memory at a time.</summary>
    private static IEnumerable<ObjectEntry> OwnNames(string directory, string folder, string? after, IEnumerable<string> fanOutFolders)
    {
        // Fan-out folders hold the names starting with their two characters, and "_x" also the one-character name "x": each
        // folder is one group per prefix it holds, and the groups sorted by prefix, each sorted within, give every name in
        // ordinal order.
        var groups = fanOutFolders
            .SelectMany(name => name[0] == '_' ? new[] { (Folder: name, Prefix: name[1..]), (Folder: name, Prefix: name) } : [(Folder: name, Prefix: name)])
            .Where(g => after is null || string.CompareOrdinal(g.Prefix, after[..Math.Min(after.Length, g.Prefix.Length)]) >= 0)
            .OrderBy(g => g.Prefix, StringComparer.Ordinal)
            .ToList();
        foreach (var group in groups)
        {
            var files = new DirectoryInfo(Path.Combine(directory, group.Folder)).EnumerateFiles()
                .Where(file => file.Name[0] != '.' && (after is null || string.CompareOrdinal(file.Name, after) > 0)
                    && (group.Prefix.Length == 1 ? file.Name == group.Prefix : file.Name.Length > 1 && file.Name.StartsWith(group.Prefix, StringComparison.Ordinal)))
                .OrderBy(file => file.Name, StringComparer.Ordinal)
                .Select(file => new ObjectEntry(folder + file.Name, file.Length, null, file.LastWriteTimeUtc))
                .ToList();
            foreach (var entry in files)
            {
                yield return entry;
            }
        }
    }

    public async Task<byte[]?> ReadPrefixAsync(string key, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var path = PathFor(key);
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[(int)Math.Min(length, stream.Length)];
                await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
                return buffer;
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unavailable("read", ex);
        }
    }

    public async Task<VersionedObject?> GetVersionedAsync(string key, CancellationToken cancellationToken)
    {
        var stored = await GetAsync(key, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : new VersionedObject(stored.Content, stored.Metadata, Tombstones.IncarnationOf(stored.Content.Span));
    }

    public async Task<string?> TryCreateAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        await CreateIfAbsentAsync(key, content, ObjectMetadata.None, cancellationToken).ConfigureAwait(false) ? Tombstones.IncarnationOf(content.Span) : null;

    public async Task<string?> TryReplaceAsync(string key, ReadOnlyMemory<byte> content, string expectedVersion, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        try
        {
            var temp = await WriteTempAsync(path, content, cancellationToken).ConfigureAwait(false);
            try
            {
                using var held = await LockKeyAsync(key, cancellationToken).ConfigureAwait(false);
                if (!await HasVersionAsync(path, expectedVersion, cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                File.Move(temp, path, overwrite: true);
                return Tombstones.IncarnationOf(content.Span);
            }
            finally
            {
                TryDelete(temp);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unavailable("write", ex);
        }
    }

    public async Task<bool> TryDeleteAsync(string key, string expectedVersion, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        try
        {
            using var held = await LockKeyAsync(key, cancellationToken).ConfigureAwait(false);
            if (!await HasVersionAsync(path, expectedVersion, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unavailable("delete", ex);
        }
    }

    private static async Task<bool> HasVersionAsync(string path, string expectedVersion, CancellationToken cancellationToken)
    {
        try
        {
            var current = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            return string.Equals(Tombstones.IncarnationOf(current), expectedVersion, StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Holds the key's lock until disposed: first this process's gate for the stripe (so threads queue instead of
    /// polling), then the stripe's lock file with an exclusive flock, retried until another process lets it go.
    /// </summary>
    private async Task<IDisposable> LockKeyAsync(string key, CancellationToken cancellationToken)
    {
        var stripe = StableStripe(key);
        var gate = _fileLockGates[stripe];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(_lockFolder);
            var path = Path.Combine(_lockFolder, stripe.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            for (var delay = 1; ; delay = Math.Min(delay * 2, 20))
            {
                try
                {
                    return new HeldLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), gate);
                }
                catch (IOException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Held by another process sharing the folder.
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    /// <summary>FNV-1a of the key: the same stripe in every process (string hash codes differ per process).</summary>
    private static int StableStripe(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % FileLockStripes);
    }

    private sealed class HeldLock(FileStream file, SemaphoreSlim gate) : IDisposable
    {
        public void Dispose()
        {
            file.Dispose();
            gate.Release();
        }
    }

    public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var folder = prefix.TrimEnd('/');
        var directory = folder.Length == 0 ? _root : Path.Combine(_root, ValidateSegments(folder, prefix));
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
        foreach (var file in Directory.EnumerateFiles(directory, "*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(file);
            if (name.StartsWith('.'))
            {
                continue;
            }

            // {root}/{folder…}/{fan-out}/{name} → {folder…}/{name}
            var parent = Path.GetDirectoryName(Path.GetDirectoryName(file))!;
            var relative = Path.GetRelativePath(_root, parent).Replace(Path.DirectorySeparatorChar, '/');
            var key = relative == "." ? name : relative + "/" + name;
            if (key.StartsWith(prefix, StringComparison.Ordinal) && PathFor(key) == file)
            {
                yield return key;
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public async Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var probe = Path.Combine(_root, $".health-{Environment.ProcessId}");
            await File.WriteAllBytesAsync(probe, [1, 2, 3], cancellationToken).ConfigureAwait(false);
            var back = await File.ReadAllBytesAsync(probe, cancellationToken).ConfigureAwait(false);
            File.Delete(probe);
            return back.Length == 3
                ? new ProviderHealth(true, "writable", Stopwatch.GetElapsedTime(started))
                : new ProviderHealth(false, "probe read back wrong bytes", Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ProviderHealth(false, "not writable: " + ex.GetType().Name, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// Maps a key to its file. Keys are <c>/</c>-separated segments of <c>[A-Za-z0-9._-]</c>, none of them
    /// <c>.</c> or <c>..</c> or starting with a dot; anything else is rejected before touching the disk.
    /// </summary>
    internal string PathFor(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var relative = ValidateSegments(key, key);
        var name = Path.GetFileName(relative);
        var folder = Path.GetDirectoryName(relative) ?? string.Empty;
        var fanOut = name.Length >= 2 ? name[..2] : "_" + name;
        var full = Path.GetFullPath(Path.Combine(_root, folder, fanOut, name));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Object key '{key}' resolves outside the storage root.", nameof(key));
        }

        return full;
    }

    private static string ValidateSegments(string path, string key)
    {
        if (path.Length is 0 or > 1024)
        {
            throw new ArgumentException("An object key is 1-1024 characters.", nameof(key));
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment[0] == '.')
            {
                throw new ArgumentException($"Object key '{key}' has an empty or dot segment.", nameof(key));
            }

            foreach (var c in segment)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                {
                    throw new ArgumentException($"Object key '{key}' has a character outside [A-Za-z0-9._-].", nameof(key));
                }
            }
        }

        return path.Replace('/', Path.DirectorySeparatorChar);
    }

    private async Task<string> WriteTempAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Options = FileOptions.Asynchronous,
            PreallocationSize = content.Length,
        });
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(_flushToDisk);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }

        return temp;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover hidden temp file is harmless: it is never listed or read.
        }
    }

    private StorageUnavailableException Unavailable(string operation, Exception ex) =>
        new(Name, $"The filesystem provider could not {operation} under its root.", ex);
}
