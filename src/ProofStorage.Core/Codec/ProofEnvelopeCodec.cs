using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace ProofStorage.Core.Codec;

/// <summary>
/// Turns record bytes into the stored envelope and back: gzip, then AES-256-GCM.
/// </summary>
/// <remarks>
/// Envelope v1 layout (all integers big-endian):
/// <code>
/// 'P' 'S' | version (1) | compression (1 = gzip) | key id length n | key id (n ASCII bytes) | nonce (12) | tag (16) | ciphertext
/// </code>
/// The associated data is every header byte before the tag followed by the UTF-8 object key, so a header edit,
/// a key-id swap or moving the object under another key all fail authentication. Thread-safe.
/// </remarks>
public sealed class ProofEnvelopeCodec
{
    /// <summary>Current envelope format version.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Compression id for gzip.</summary>
    public const byte CompressionGzip = 1;

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int FixedHeaderSize = 5; // magic (2), version, compression, key id length

    private readonly EncryptionKeyRing _keys;
    private readonly CompressionLevel _compressionLevel;

    public ProofEnvelopeCodec(EncryptionKeyRing keys, CompressionLevel compressionLevel = CompressionLevel.Optimal)
    {
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _compressionLevel = compressionLevel;
    }

    /// <summary>Bytes from the start of an envelope that always include its key id (what <see cref="TryReadKeyId"/> needs).</summary>
    public const int KeyIdHeaderLength = FixedHeaderSize + EncryptionKeyRing.MaxKeyIdLength;

    /// <summary>
    /// The key id an envelope says it is sealed under, read from its first bytes only (a ranged read of
    /// <see cref="KeyIdHeaderLength"/> bytes is enough); <see langword="false"/> when they are not an envelope header.
    /// Nothing is authenticated: the census counts with it, only <see cref="Open"/> trusts anything.
    /// </summary>
    public static bool TryReadKeyId(ReadOnlySpan<byte> header, out string keyId)
    {
        keyId = string.Empty;
        if (header.Length < FixedHeaderSize || header[0] != (byte)'P' || header[1] != (byte)'S' || header[2] != FormatVersion)
        {
            return false;
        }

        int length = header[4];
        if (length is 0 or > EncryptionKeyRing.MaxKeyIdLength || header.Length < FixedHeaderSize + length)
        {
            return false;
        }

        var id = Encoding.ASCII.GetString(header.Slice(FixedHeaderSize, length));
        if (!EncryptionKeyRing.IsValidKeyId(id))
        {
            return false;
        }

        keyId = id;
        return true;
    }

    /// <summary>Compresses and encrypts <paramref name="record"/> for storage under <paramref name="objectKey"/>.</summary>
    public SealedEnvelope Seal(ReadOnlySpan<byte> record, string objectKey)
    {
        ArgumentNullException.ThrowIfNull(objectKey);

        // COMPRESS
        var compressed = Gzip(record, _compressionLevel);

        // ENCRYPT
        return Encrypt(compressed, objectKey);
    }

    /// <summary>
    /// Seals what <paramref name="opened"/> holds again, under the active key, for the same object key: re-encryption in place
    /// keeps the gzip bytes as they are (nothing is decompressed or compressed again).
    /// </summary>
    public SealedEnvelope Reseal(OpenedEnvelope opened, string objectKey)
    {
        ArgumentNullException.ThrowIfNull(opened);
        ArgumentNullException.ThrowIfNull(objectKey);
        return Encrypt(opened.Compressed, objectKey);
    }

    /// <summary>AES-256-GCM under the active key; <paramref name="compressed"/> is kept in the result, not copied.</summary>
    private SealedEnvelope Encrypt(byte[] compressed, string objectKey)
    {
        var envelope = new byte[EnvelopeLength(compressed.Length)];
        var etag = Encrypt(compressed, objectKey, envelope);
        return new SealedEnvelope(envelope, compressed, etag);
    }

    /// <summary>The size of the envelope around <paramref name="compressedLength"/> bytes under the active key.</summary>
    public int EnvelopeLength(int compressedLength) => FixedHeaderSize + _keys.ActiveKeyId.Length + NonceSize + TagSize + compressedLength;

    /// <summary>An upper bound of the gzip size of <paramref name="length"/> bytes (deflate's stored-block worst case, with room).</summary>
    public static int GzipBound(int length) => checked(length + (length >> 12) + (length >> 14) + (length >> 25) + 1024);

    /// <summary>
    /// Seals <paramref name="compressed"/> for <paramref name="objectKey"/> into <paramref name="envelope"/> (exactly
    /// <see cref="EnvelopeLength"/> bytes, not overlapping the input); returns the ETag.
    /// </summary>
    public string Encrypt(ReadOnlySpan<byte> compressed, string objectKey, Span<byte> envelope)
    {
        ArgumentNullException.ThrowIfNull(objectKey);
        var keyId = _keys.ActiveKeyId;
        var headerLength = FixedHeaderSize + keyId.Length + NonceSize;
        envelope = envelope[..(headerLength + TagSize + compressed.Length)];
        envelope[0] = (byte)'P';
        envelope[1] = (byte)'S';
        envelope[2] = FormatVersion;
        envelope[3] = CompressionGzip;
        envelope[4] = (byte)keyId.Length;
        Encoding.ASCII.GetBytes(keyId, envelope[FixedHeaderSize..]);
        var nonce = envelope.Slice(FixedHeaderSize + keyId.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);

        var aad = RentAssociatedData(envelope[..headerLength], objectKey, out var aadLength);
        try
        {
            using var aes = new AesGcm(_keys.ActiveKey, TagSize);
            aes.Encrypt(nonce, compressed, envelope[(headerLength + TagSize)..], envelope.Slice(headerLength, TagSize), aad.AsSpan(0, aadLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(aad);
        }

        return ETagOf(envelope.Slice(headerLength, TagSize));
    }

    /// <summary>
    /// Compresses <paramref name="data"/> with gzip into <paramref name="destination"/> (at most <paramref name="capacity"/>
    /// bytes, see <see cref="GzipBound"/>); returns the gzip length. No managed buffer the size of the data is involved.
    /// </summary>
    public unsafe int GzipInto(ReadOnlySpan<byte> data, byte* destination, int capacity)
    {
        using var output = new UnmanagedMemoryStream(destination, 0, capacity, FileAccess.Write);
        using (var gzip = new GZipStream(output, _compressionLevel, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return checked((int)output.Position);
    }

    /// <summary>
    /// Verifies, decrypts and decompresses an envelope read from under <paramref name="objectKey"/>. Any
    /// mismatch throws <see cref="ProofIntegrityException"/>; no unverified byte is ever returned.
    /// </summary>
    public OpenedEnvelope Open(ReadOnlySpan<byte> envelope, string objectKey, int maxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(objectKey);
        if (envelope.Length < FixedHeaderSize + 1 + NonceSize + TagSize
            || envelope[0] != (byte)'P' || envelope[1] != (byte)'S')
        {
            throw new ProofIntegrityException(IntegrityFailureKind.MalformedEnvelope, objectKey, "The stored object is not a proof envelope.");
        }

        if (envelope[2] != FormatVersion || envelope[3] != CompressionGzip)
        {
            throw new ProofIntegrityException(IntegrityFailureKind.MalformedEnvelope, objectKey,
                $"Unsupported envelope format {envelope[2]} / compression {envelope[3]}.");
        }

        int keyIdLength = envelope[4];
        var headerLength = FixedHeaderSize + keyIdLength + NonceSize;
        if (keyIdLength is 0 or > EncryptionKeyRing.MaxKeyIdLength || envelope.Length < headerLength + TagSize)
        {
            throw new ProofIntegrityException(IntegrityFailureKind.MalformedEnvelope, objectKey, "The envelope header is truncated or invalid.");
        }

        var keyIdBytes = envelope.Slice(FixedHeaderSize, keyIdLength);
        foreach (var b in keyIdBytes)
        {
            if (b >= 0x80)
            {
                throw new ProofIntegrityException(IntegrityFailureKind.MalformedEnvelope, objectKey, "The envelope key id is not ASCII.");
            }
        }

        var keyId = Encoding.ASCII.GetString(keyIdBytes);
        if (!_keys.TryGetKey(keyId, out var key))
        {
            throw new ProofIntegrityException(IntegrityFailureKind.UnknownKey, objectKey,
                $"The object is encrypted under key id '{keyId}', which is not configured.");
        }

        var tag = envelope.Slice(headerLength, TagSize);
        var ciphertext = envelope[(headerLength + TagSize)..];
        var compressed = new byte[ciphertext.Length];
        var aad = RentAssociatedData(envelope[..headerLength], objectKey, out var aadLength);
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(envelope.Slice(FixedHeaderSize + keyIdLength, NonceSize), ciphertext, tag, compressed, aad.AsSpan(0, aadLength));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new ProofIntegrityException(IntegrityFailureKind.AuthenticationFailed, objectKey,
                "The stored object failed authentication (corrupted, truncated or not written for this key).", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(aad);
        }

        byte[] record;
        try
        {
            record = Gunzip(compressed, maxRecordBytes);
        }
        catch (InvalidDataException ex)
        {
            throw new ProofIntegrityException(IntegrityFailureKind.CorruptPayload, objectKey, "The decrypted payload is not valid gzip.", ex);
        }

        return new OpenedEnvelope(record, compressed, ETagOf(tag), keyId);
    }

    /// <summary>Compresses with gzip at the given level (a complete gzip member).</summary>
    public static byte[] Gzip(ReadOnlySpan<byte> data, CompressionLevel level)
    {
        using var output = new MemoryStream(Math.Max(256, data.Length / 3));
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Decompresses a gzip member, refusing output larger than <paramref name="maxBytes"/>.</summary>
    public static byte[] Gunzip(byte[] compressed, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(compressed);

        // The gzip trailer holds the size modulo 2^32: a good first guess for the buffer, never trusted as a bound.
        var hint = compressed.Length >= 18 ? BinaryPrimitives.ReadInt32LittleEndian(compressed.AsSpan(compressed.Length - 4)) : 0;
        var capacity = hint > 0 && hint <= maxBytes ? hint : Math.Min(maxBytes, Math.Max(1024, compressed.Length * 4));
        using var input = new MemoryStream(compressed, writable: false);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        var buffer = new byte[capacity + 1];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > maxBytes)
                {
                    throw new InvalidDataException($"The payload decompresses to more than {maxBytes} bytes.");
                }

                Array.Resize(ref buffer, (int)Math.Min((long)maxBytes + 1, buffer.Length * 2L));
            }

            var read = gzip.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (length > maxBytes)
            {
                throw new InvalidDataException($"The payload decompresses to more than {maxBytes} bytes.");
            }
        }

        if (length != buffer.Length)
        {
            Array.Resize(ref buffer, length);
        }

        return buffer;
    }

    private static string ETagOf(ReadOnlySpan<byte> tag)
    {
        Span<char> chars = stackalloc char[2 + 22];
        chars[0] = '"';
        System.Buffers.Text.Base64Url.EncodeToChars(tag, chars[1..], out _, out var written);
        chars[1 + written] = '"';
        return new string(chars[..(written + 2)]);
    }

    private static byte[] RentAssociatedData(ReadOnlySpan<byte> header, string objectKey, out int length)
    {
        length = header.Length + Encoding.UTF8.GetByteCount(objectKey);
        var aad = ArrayPool<byte>.Shared.Rent(length);
        header.CopyTo(aad);
        Encoding.UTF8.GetBytes(objectKey, aad.AsSpan(header.Length));
        return aad;
    }
}

/// <summary>The result of sealing: the bytes to store, the gzip form of the record and the ETag.</summary>
public sealed record SealedEnvelope(byte[] Envelope, byte[] Compressed, string ETag);

/// <summary>The result of opening: the verified record, its gzip form, the ETag and the key id it was under.</summary>
public sealed record OpenedEnvelope(byte[] Record, byte[] Compressed, string ETag, string KeyId);
