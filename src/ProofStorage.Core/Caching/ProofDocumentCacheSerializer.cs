using System.Text;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;
using ZiggyCreatures.Caching.Fusion.Internals;
using ZiggyCreatures.Caching.Fusion.Internals.Distributed;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace ProofStorage.Core.Caching;

/// <summary>
/// Writes proof cache entries for a distributed level as encrypted envelopes, so the shared server never holds a
/// plaintext proof: the document's gzip bytes are sealed with AES-256-GCM by <see cref="ProofEnvelopeCodec"/> under
/// the associated data <c>cache:{proofId}:{etag}</c>, and verified (tag, record identity) on every read. A value
/// that fails verification is rejected, which FusionCache treats as a miss. Thread-safe.
/// </summary>
/// <remarks>
/// Layout: <c>'P' 'C' version(1)</c>, FusionCache's entry fields (timestamps, metadata, tags: no proof content),
/// then, when the entry holds a proof, its id, ETag, stored size and the envelope. Only FusionCache's distributed
/// entries of <see cref="ProofDocument"/> are supported; anything else throws <see cref="NotSupportedException"/>.
/// </remarks>
public sealed class ProofDocumentCacheSerializer : IFusionCacheSerializer
{
    private const byte Version = 1;
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

    /// <summary>The associated data binding a cache envelope to its proof and entity tag.</summary>
    public static string AssociatedKey(string proofId, string etag) => $"cache:{proofId}:{etag}";

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
                // ENCRYPT: the document's gzip bytes, bound to its id and ETag.
                var compressed = document.Gzip.ToArray();
                var sealedEnvelope = _codec.SealCompressed(compressed, AssociatedKey(document.ProofId, document.ETag));
                writer.Write(document.ProofId);
                writer.Write(document.ETag);
                writer.Write(document.StoredBytes);
                writer.Write(sealedEnvelope.Envelope.Length);
                writer.Write(sealedEnvelope.Envelope);
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
            var etag = reader.ReadString();
            var storedBytes = reader.ReadInt64();
            var length = reader.ReadInt32();
            if (length < 0 || length > data.Length)
            {
                throw new FormatException("Invalid envelope length.");
            }

            var envelope = reader.ReadBytes(length);

            // VERIFY: the tag authenticates the bytes, the id and the ETag; the record must name the same proof.
            var opened = _codec.Open(envelope, AssociatedKey(proofId, etag), _maxRecordBytes);
            var header = ProofRecord.ReadHeader(opened.Record);
            if (header.ProofId != proofId)
            {
                throw new FormatException("The cached record belongs to another proof.");
            }

            document = new ProofDocument(proofId, header.ImageHash, header.CreatedAt, opened.Record, opened.Compressed, etag, storedBytes);
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
