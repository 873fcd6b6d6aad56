using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace ProofStorage.Storage.Failover;

/// <summary>What a replication entry asks of its target provider.</summary>
internal enum ReplicationOperation
{
    /// <summary>Write the bytes carried by the entry (create-if-absent when <see cref="ReplicationEntry.Conditional"/>).</summary>
    Put,

    /// <summary>Delete the key.</summary>
    Delete,
}

/// <summary>One pending change for one provider of a failover pair.</summary>
internal sealed record ReplicationEntry(string Target, ReplicationOperation Operation, string Key, bool Conditional, byte[]? Content)
{
    /// <summary>The file name, which orders entries (append order).</summary>
    public string FileName { get; init; } = string.Empty;
}

/// <summary>
/// The durable log of changes one provider of a pair still has to receive: one small file per entry under
/// <c>{DataPath}/replication</c>, written to a temp file, flushed and renamed before the write it stands for is
/// acknowledged, so a crash never loses an acknowledged proof's second copy. File names sort in append order.
/// Thread-safe.
/// </summary>
internal sealed class ReplicationLog
{
    private const string Extension = ".entry";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _folder;
    private readonly ConcurrentDictionary<string, ReplicationEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Target, string Key), int> _pendingByKey = new();
    private long _sequence;

    public ReplicationLog(string folder)
    {
        _folder = folder;
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(folder, "*" + Extension))
        {
            var entry = JsonSerializer.Deserialize<ReplicationEntry>(File.ReadAllBytes(file), Json);
            if (entry is not null)
            {
                Track(entry with { FileName = Path.GetFileName(file) });
            }
        }

        foreach (var temp in Directory.EnumerateFiles(folder, "*.tmp"))
        {
            // A crash between write and rename: that write was never acknowledged.
            File.Delete(temp);
        }
    }

    /// <summary>Number of entries not yet applied.</summary>
    public int Count => _entries.Count;

    /// <summary>True when <paramref name="target"/> still has a change pending for <paramref name="key"/>.</summary>
    public bool HasPending(string target, string key) => _pendingByKey.ContainsKey((target, key));

    /// <summary>Pending entries in append order.</summary>
    public IReadOnlyList<ReplicationEntry> Snapshot() => [.. _entries.Values.OrderBy(e => e.FileName, StringComparer.Ordinal)];

    /// <summary>Appends an entry durably (flushed to disk) before returning.</summary>
    public async Task AppendAsync(ReplicationEntry entry, CancellationToken cancellationToken)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow.Ticks:D19}-{Environment.ProcessId:D7}-{sequence:D12}{Extension}");
        var path = Path.Combine(_folder, name);
        var temp = path + ".tmp";
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(stream, entry, Json, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path);
        Track(entry with { FileName = name });
    }

    /// <summary>Removes an applied entry.</summary>
    public void Complete(ReplicationEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_entries.TryRemove(entry.FileName, out _))
        {
            File.Delete(Path.Combine(_folder, entry.FileName));
            _pendingByKey.AddOrUpdate((entry.Target, entry.Key), 0, (_, count) => count - 1);
            _pendingByKey.TryRemove(new KeyValuePair<(string, string), int>((entry.Target, entry.Key), 0));
        }
    }

    private void Track(ReplicationEntry entry)
    {
        _entries[entry.FileName] = entry;
        _pendingByKey.AddOrUpdate((entry.Target, entry.Key), 1, (_, count) => count + 1);
    }
}
