using System.Text;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Model;
using ZiggyCreatures.Caching.Fusion.Internals;
using ZiggyCreatures.Caching.Fusion.Internals.Distributed;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace ProofStorage.Core.Caching;

/// <summary>
/// Writes proof cache entries for a distributed level as the provider's own envelopes, so the shared server never
/// holds a plaintext proof and a store seals its proof once: the value carries the exact bytes the provider holds at
/// <c>proofs/{id}</c> (<see cref="ProofDocument.Envelope"/>), and a read opens them exactly as a provider read does
/// (AES-256-GCM with the object key as associated data, then the record's own id checked), so the document and its
/// ETag are the same whichever level it came from. A value that fails verification is rejected, which FusionCache
/// treats as a miss. Thread-safe.
/// </summary>
/// <remarks>
/// Layout: <c>'P' 'C' version(2)</c>, FusionCache's entry fields (timestamps, metadata, tags: no proof content),
/// then, when the entry holds a proof, its id and the envelope. An entry without a proof is a remembered "not found".
/// Only FusionCache's distributed entries of <see cref="ProofDocument"/> are supported; anything else throws
/// <see cref="NotSupportedException"/>. Values of version 1 (an envelope sealed a second time for the cache) are
/// rejected, so during a rolling upgrade they are misses until rewritten.
/// </remarks>
public sealed class ProofDocumentCacheSerializer : IFusionCacheSerializer
{
    private const byte Version = 2;
    private readonly ProofEnvelopeCodec _codec;
    private readonly int _maxRecordBytes;
    private long _bytesWritten;
    private long _bytesRead;
    private long _rejected;

    public ProofDocumentCacheSerializer(ProofEnvelopeCodec codec, int maxRecordBytes)
    {
        _codec = codec ?? throw new ArgumentNullException(nameof(codec));
        _maxRecordBytes = maxRecordBytes;
    }

    /// <summary>Bytes handed to the level so far.</summary>
    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    /// <summary>Bytes read back from the level so far.</summary>
    public long BytesRead => Volatile.Read(ref _bytesRead);

    /// <summary>Values that failed verification (tampered, foreign key, corrupt) and were treated as misses.</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    public byte[] Serialize<T>(T? obj)
    {
        if (obj is not FusionCacheDistributedEntry<ProofDocument?> entry)
        {
            throw new NotSupportedException($"{nameof(ProofDocumentCacheSerializer)} only writes proof cache entries, not {typeof(T)}.");
        }

        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)'P');
            writer.Write((byte)'C');
            writer.Write(Version);
            writer.Write(entry.Timestamp);
            writer.Write(entry.LogicalExpirationTimestamp);
            var tags = entry.Tags ?? [];
            writer.Write(tags.Length);
            foreach (var tag in tags)
            {
                writer.Write(tag);
            }

            var metadata = entry.Metadata;
            writer.Write(metadata is not null);
            if (metadata is not null)
            {
                writer.Write(metadata.IsStale);
                WriteNullable(writer, metadata.EagerExpirationTimestamp);
                writer.Write(metadata.ETag is not null);
                if (metadata.ETag is not null)
                {
                    writer.Write(metadata.ETag);
                }

                WriteNullable(writer, metadata.LastModifiedTimestamp);
                WriteNullable(writer, metadata.Size);
                writer.Write(metadata.Priority.HasValue);
                writer.Write(metadata.Priority ?? 0);
            }

            var document = entry.Value;
            writer.Write(document is not null);
            if (document is not null)
            {
                // The envelope as the provider holds it: sealed once, when the proof was stored.
                writer.Write(document.ProofId);
                writer.Write(document.Envelope.Length);
                writer.Write(document.Envelope.Span);
            }
        }

        var bytes = buffer.ToArray();
        Interlocked.Add(ref _bytesWritten, bytes.Length);
        return bytes;
    }

    public T? Deserialize<T>(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (typeof(T) != typeof(FusionCacheDistributedEntry<ProofDocument?>))
        {
            throw new NotSupportedException($"{nameof(ProofDocumentCacheSerializer)} only reads proof cache entries, not {typeof(T)}.");
        }

        Interlocked.Add(ref _bytesRead, data.Length);
        try
        {
            return (T)(object)Read(data);
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or FormatException or ProofIntegrityException
            or System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            Interlocked.Increment(ref _rejected);
            throw new ProofIntegrityException(IntegrityFailureKind.CorruptPayload, "cache",
                "A distributed cache value failed verification; it is ignored.", ex);
        }
    }

    public ValueTask<byte[]> SerializeAsync<T>(T? obj, CancellationToken token = default) => ValueTask.FromResult(Serialize(obj));

    public ValueTask<T?> DeserializeAsync<T>(byte[] data, CancellationToken token = default) => ValueTask.FromResult(Deserialize<T>(data));

    private FusionCacheDistributedEntry<ProofDocument?> Read(byte[] data)
    {
        using var reader = new BinaryReader(new MemoryStream(data, writable: false), Encoding.UTF8);
        if (reader.ReadByte() != (byte)'P' || reader.ReadByte() != (byte)'C' || reader.ReadByte() != Version)
        {
            throw new FormatException("Not a proof cache value.");
        }

        var timestamp = reader.ReadInt64();
        var logicalExpiration = reader.ReadInt64();
        var tagCount = reader.ReadInt32();
        if (tagCount is < 0 or > 1024)
        {
            throw new FormatException("Invalid tag count.");
        }

        var tags = new string[tagCount];
        for (var i = 0; i < tagCount; i++)
        {
            tags[i] = reader.ReadString();
        }

        FusionCacheEntryMetadata? metadata = null;
        if (reader.ReadBoolean())
        {
            var isStale = reader.ReadBoolean();
            var eager = ReadNullable(reader);
            var etag = reader.ReadBoolean() ? reader.ReadString() : null;
            var lastModified = ReadNullable(reader);
            var size = ReadNullable(reader);
            var hasPriority = reader.ReadBoolean();
            var priority = reader.ReadByte();
            metadata = new FusionCacheEntryMetadata(isStale, eager, etag, lastModified, size, hasPriority ? priority : null);
        }

        ProofDocument? document = null;
        if (reader.ReadBoolean())
        {
            var proofId = reader.ReadString();
            var length = reader.ReadInt32();
            if (length < 0 || length > data.Length)
            {
                throw new FormatException("Invalid envelope length.");
            }

            var envelope = reader.ReadBytes(length);
            if (envelope.Length != length)
            {
                throw new FormatException("The envelope is truncated.");
            }

            // VERIFY, as a provider read: the tag authenticates the bytes under the proof's object key (so a value
            // moved to another id fails), and the record must name the same proof.
            var opened = _codec.Open(envelope, DedupProtocol.ProofKey(proofId), _maxRecordBytes);
            var header = ProofRecord.ReadHeader(opened.Record);
            if (header.ProofId != proofId)
            {
                throw new FormatException("The cached record belongs to another proof.");
            }

            document = ProofDocument.FromRecord(proofId, header, opened.Record, opened.Compressed, opened.ETag, envelope);
        }

        return new FusionCacheDistributedEntry<ProofDocument?>(document, timestamp, logicalExpiration, tags, metadata!);
    }

    private static void WriteNullable(BinaryWriter writer, long? value)
    {
        writer.Write(value.HasValue);
        writer.Write(value ?? 0);
    }

    private static long? ReadNullable(BinaryReader reader)
    {
        var has = reader.ReadBoolean();
        var value = reader.ReadInt64();
        return has ? value : null;
    }
}
