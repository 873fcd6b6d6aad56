using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using ProofStorage.Core;
using ProofStorage.Core.Storage;
using HashStream = Amazon.Runtime.Internal.Util.HashStream;
using WrapperStream = Amazon.Runtime.Internal.Util.WrapperStream;

namespace ProofStorage.Providers.S3;

/// <summary>
/// What a provider instance needs beyond the client, resolved from <see cref="S3StorageOptions"/>. <c>ConditionalDeletes</c>:
/// the server honours <c>If-Match</c> on <c>DeleteObject</c> (AWS S3 and the patched local server; R2 documents no such thing).
/// </summary>
internal sealed record S3ProviderSettings(string Bucket, string KeyPrefix, bool ServerSideEncryption, bool DisablePayloadSigning, TimeSpan OperationTimeout,
    bool Https = true, bool ConditionalDeletes = true);

/// <summary>
/// Objects in an S3-protocol bucket (AWS S3, Cloudflare R2, MinIO, the local test server).
/// </summary>
/// <remarks>
/// <para>Every PUT is one buffered request with a plain signed (or, over HTTPS on R2, unsigned) body: no
/// chunk encoding, no trailing checksums, no multipart. It carries <c>x-amz-meta-sha256</c>, the SHA-256 of the
/// bytes, which every GET verifies after reading the whole body; a mismatch throws
/// <see cref="ProofIntegrityException"/> and the bytes are never returned.</para>
/// <para>Create-if-absent is <c>PutObject</c> with <c>If-None-Match: *</c>: the server is the arbiter, so it is
/// race-free across processes and hosts. <c>412 Precondition Failed</c> and <c>409 ConditionalRequestConflict</c>
/// (a concurrent conditional write) both mean "someone else's object wins".</para>
/// <para>Each call is bounded by the SDK's per-attempt <c>Timeout</c> and by <c>OperationTimeout</c> over all
/// retries; unreachable, timed-out, throttled-past-retries and 5xx answers become
/// <see cref="StorageUnavailableException"/>.</para>
/// <para>Presigned GET URLs (SigV4 query signing, at most 7 days) are signed locally with the provider's
/// credentials; they fetch the encrypted envelope.</para>
/// <para>Object maintenance (<see cref="IObjectMaintenance"/>): listings are <c>ListObjectsV2</c> pages of 1,000 with
/// <c>StartAfter</c> and <c>Delimiter=/</c>; a version is the object's ETag; conditional replaces are <c>PutObject</c> with
/// <c>If-Match</c>, conditional deletes <c>DeleteObject</c> with <c>If-Match</c> (for R2, a HEAD and a compare first).</para>
/// </remarks>
internal sealed class S3StorageProvider : IStorageProvider, IPresignedUrlProvider, IObjectMaintenance, IDisposable
{
    /// <summary>SigV4 query signing refuses <c>X-Amz-Expires</c> over 604800 s (AWS S3, R2 and the local server alike).</summary>
    internal static readonly TimeSpan MaxPresignLifetime = TimeSpan.FromDays(7);

    /// <summary>Presigning aims this far past the whole second, so the SDK's rounding to whole seconds lands on the lifetime asked for.</summary>
    private static readonly TimeSpan RoundingMargin = TimeSpan.FromMilliseconds(400);

    private const int MaxSigningAttempts = 4;

    internal const string Sha256Header = "x-amz-meta-sha256";

    /// <summary>How long a health result is reused: readiness probes every few seconds cost one request per window.</summary>
    internal static readonly TimeSpan HealthCacheDuration = TimeSpan.FromSeconds(5);

    /// <summary>The key the health probe reads (it need not exist; older versions wrote it).</summary>
    private const string HealthProbeKey = ".health/probe";

    private readonly IAmazonS3 _client;
    private readonly S3ProviderSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _healthGate = new();
    private HealthProbe? _health;

    public S3StorageProvider(string name, IAmazonS3 client, S3ProviderSettings settings, TimeProvider time, ILogger logger)
    {
        Name = name;
        _client = client;
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    public string Name { get; }

    internal IAmazonS3 Client => _client;

    internal S3ProviderSettings Settings => _settings;

    public async Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken) =>
        (await ReadAsync(key, cancellationToken).ConfigureAwait(false))?.Object;

    public async Task<VersionedObject?> GetVersionedAsync(string key, CancellationToken cancellationToken) =>
        await ReadAsync(key, cancellationToken).ConfigureAwait(false) is { } read
            ? new VersionedObject(read.Object.Content, read.Object.Metadata, read.ETag)
            : null;

    /// <summary>Reads the whole body and checks it against the stored SHA-256 (and the SDK against the ETag's MD5).</summary>
    private async Task<(StoredObject Object, string ETag)?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        using var timeout = Bounded(cancellationToken);
        try
        {
            using var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = _settings.Bucket, Key = ObjectKey(key) }, timeout.Token)
                .ConfigureAwait(false);
            using var buffer = new MemoryStream(response.ContentLength is > 0 and < int.MaxValue ? (int)response.ContentLength : 256);
            try
            {
                await response.ResponseStream.CopyToAsync(buffer, timeout.Token).ConfigureAwait(false);
            }
            catch (AmazonClientException ex) when (ReportsChecksumMismatch(response.ResponseStream))
            {
                // The SDK checks the body against the ETag's MD5 once it has read all of it: the bytes are damaged.
                Log.ChecksumMismatch(_logger, key, Name);
                throw new ProofIntegrityException(IntegrityFailureKind.ChecksumMismatch, key, $"The object read from {Name} does not match its ETag.", ex);
            }

            // The stream's own buffer when the length was announced (it is then exactly full): no second copy.
            ReadOnlyMemory<byte> bytes = buffer.TryGetBuffer(out var written) ? written : buffer.ToArray();
            var expected = response.Metadata[Sha256Header];
            if (!string.IsNullOrEmpty(expected) && !string.Equals(expected, Sha256Hex(bytes.Span), StringComparison.OrdinalIgnoreCase))
            {
                Log.ChecksumMismatch(_logger, key, Name);
                throw new ProofIntegrityException(IntegrityFailureKind.ChecksumMismatch, key,
                    $"The object read from {Name} does not match the SHA-256 stored with it.");
            }

            return (new StoredObject(bytes, new ObjectMetadata(string.IsNullOrEmpty(expected) ? null : expected)), response.ETag);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable("read", ex);
        }
    }

    public async Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        using var timeout = Bounded(cancellationToken);
        try
        {
            // CREATE-IF-ABSENT: the server arbitrates; the first PUT wins everywhere (AWS S3, R2, MinIO).
            await _client.PutObjectAsync(PutRequest(key, content, ifNoneMatch: true), timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return false;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable("write", ex);
        }
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        using var timeout = Bounded(cancellationToken);
        try
        {
            await _client.PutObjectAsync(PutRequest(key, content, ifNoneMatch: false), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable("write", ex);
        }
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        using var timeout = Bounded(cancellationToken);
        var objectKey = ObjectKey(key);
        try
        {
            // DeleteObject answers 204 whether or not the key existed: ask first so the result means something.
            try
            {
                await _client.GetObjectMetadataAsync(_settings.Bucket, objectKey, timeout.Token).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            await DeleteObjectAsync(objectKey, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable("delete", ex);
        }
    }

    public async Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        using var timeout = Bounded(cancellationToken);
        try
        {
            // The caller has just read the object: no HEAD to learn what it knows.
            await DeleteObjectAsync(ObjectKey(key), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable("delete", ex);
        }
    }

    /// <summary>Single DeleteObject, never DeleteObjects: the batch call carries a checksum header R2 rejects.</summary>
    private Task<DeleteObjectResponse> DeleteObjectAsync(string objectKey, CancellationToken token) => _client.DeleteObjectAsync(_settings.Bucket, objectKey, token);

    public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await foreach (var entry in ListAsync(new ListObjectsV2Request { BucketName = _settings.Bucket, Prefix = ObjectKey(prefix) }, cancellationToken)
            .ConfigureAwait(false))
        {
            yield return entry.Key[_settings.KeyPrefix.Length..];
        }
    }

    public async IAsyncEnumerable<ObjectEntry> ListObjectsAsync(string folder, string? startAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!folder.EndsWith('/'))
        {
            throw new ArgumentException($"A folder key ends with '/', not '{folder}'.", nameof(folder));
        }

        // No delimiter: deeper folders' keys too (bindings/{value}/{proofId}), in the listing's ordinal (UTF-8 byte) order.
        var request = new ListObjectsV2Request
        {
            BucketName = _settings.Bucket,
            Prefix = ObjectKey(folder),
            StartAfter = startAfter is null ? null : ObjectKey(startAfter),
        };
        await foreach (var entry in ListAsync(request, cancellationToken).ConfigureAwait(false))
        {
            yield return new ObjectEntry(entry.Key[_settings.KeyPrefix.Length..], entry.Size ?? 0, entry.ETag,
                entry.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue);
        }
    }

    /// <summary>Every object a listing request names (page after page, each page one bounded call), under this provider's key prefix.</summary>
    private async IAsyncEnumerable<S3Object> ListAsync(ListObjectsV2Request request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            ListObjectsV2Response response;
            using (var timeout = Bounded(cancellationToken))
            {
                try
                {
                    response = await _client.ListObjectsV2Async(request, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
                {
                    throw Unavailable("list", ex);
                }
            }

            // SDK v4 leaves collections null when empty.
            foreach (var entry in response.S3Objects ?? [])
            {
                if (entry.Key.StartsWith(_settings.KeyPrefix, StringComparison.Ordinal))
                {
                    yield return entry;
                }
            }

            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async Task<byte[]?> ReadPrefixAsync(string key, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        using var timeout = Bounded(cancellationToken);
        try
        {
            using var response = await _client.GetObjectAsync(
                new GetObjectRequest { BucketName = _settings.Bucket, Key = ObjectKey(key), ByteRange = new ByteRange(0, length - 1) }, timeout.Token)
                .ConfigureAwait(false);
            using var buffer = new MemoryStream(length);
            await response.ResponseStream.CopyToAsync(buffer, timeout.Token).ConfigureAwait(false);
            return buffer.Length > length ? buffer.ToArray()[..length] : buffer.ToArray();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable("read", ex);
        }
    }

    public async Task<string?> TryCreateAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        using var timeout = Bounded(cancellationToken);
        try
        {
            return (await _client.PutObjectAsync(PutRequest(key, content, ifNoneMatch: true), timeout.Token).ConfigureAwait(false)).ETag;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return null;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable("write", ex);
        }
    }

    public async Task<string?> TryReplaceAsync(string key, ReadOnlyMemory<byte> content, string expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedVersion);
        using var timeout = Bounded(cancellationToken);
        try
        {
            var request = PutRequest(key, content, ifNoneMatch: false);
            request.IfMatch = expectedVersion;
            return (await _client.PutObjectAsync(request, timeout.Token).ConfigureAwait(false)).ETag;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // 412: another version; 404 (AWS) or 412 (R2, MinIO): no object; 409: a concurrent conditional write won.
            return null;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable("write", ex);
        }
    }

    public async Task<bool> TryDeleteAsync(string key, string expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedVersion);
        using var timeout = Bounded(cancellationToken);
        var objectKey = ObjectKey(key);
        try
        {
            if (!_settings.ConditionalDeletes)
            {
                // No conditional delete on this server: compare first (a write between the two calls can still be lost).
                var head = await _client.GetObjectMetadataAsync(_settings.Bucket, objectKey, timeout.Token).ConfigureAwait(false);
                if (!string.Equals(head.ETag?.Trim('"'), expectedVersion.Trim('"'), StringComparison.Ordinal))
                {
                    return false;
                }
            }

            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _settings.Bucket, Key = objectKey, IfMatch = _settings.ConditionalDeletes ? expectedVersion : null }, timeout.Token)
                .ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable("delete", ex);
        }
    }

    /// <summary>
    /// Reads the probe key (one GET: a billed read, never a write) and reuses that answer for
    /// <see cref="HealthCacheDuration"/>; concurrent probes share one request. A failed call of any other operation
    /// drops the cached answer, so an outage shows at the next probe.
    /// </summary>
    public async Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        Task<ProviderHealth> answer;
        lock (_healthGate)
        {
            if (_health is null || (_health.Answer.IsCompleted && _time.GetElapsedTime(_health.StartedAt) >= HealthCacheDuration))
            {
                // Not tied to this caller's token: others may wait for the same answer. OperationTimeout bounds it.
                _health = new HealthProbe(_time.GetTimestamp(), Task.Run(ProbeAsync, CancellationToken.None));
            }

            answer = _health.Answer;
        }

        return await answer.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProviderHealth> ProbeAsync()
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = Bounded(CancellationToken.None);
        try
        {
            using var response = await _client.GetObjectAsync(_settings.Bucket, ObjectKey(HealthProbeKey), timeout.Token).ConfigureAwait(false);
            return new ProviderHealth(true, "reachable", Stopwatch.GetElapsedTime(started));
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            // The bucket answered for these credentials; that the key is absent is expected.
            return new ProviderHealth(true, "reachable", Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (IsUnavailable(ex, CancellationToken.None))
        {
            var detail = ex is OperationCanceledException ? "timed out" : "unreachable: " + Detail(ex);
            return new ProviderHealth(false, detail, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>A health probe started at a timestamp of the provider's <see cref="TimeProvider"/>.</summary>
    private sealed record HealthProbe(long StartedAt, Task<ProviderHealth> Answer);

    public TimeSpan MaxPresignedUrlLifetime => MaxPresignLifetime;

    public async Task<PresignedUrl> CreatePresignedGetUrlAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var seconds = (long)Math.Floor(lifetime.TotalSeconds);
        if (seconds < 1 || lifetime > MaxPresignLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, $"A presigned URL lives 1 s to {MaxPresignLifetime.TotalDays} days.");
        }

        // The SDK derives X-Amz-Expires as Expires minus its own clock, read a moment after ours and corrected by any
        // skew it has seen for the endpoint, rounded to whole seconds. Aiming RoundingMargin past the whole second keeps
        // that rounding on the lifetime asked for however the two reads are spread, up to 0.9 s apart (a busy machine);
        // beyond that, or under a skew correction, the next signing is shifted by the difference. The expiry reported is
        // read back from the URL either way.
        var shift = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            var expires = DateTime.UtcNow.AddSeconds(seconds) + RoundingMargin + shift;
            var url = await SignAsync(key, expires, cancellationToken).ConfigureAwait(false);
            if (ExpiresSecondsOf(url) is not { } signed || signed == seconds || attempt == MaxSigningAttempts)
            {
                return new PresignedUrl(url, ExpiryOf(url) ?? new DateTimeOffset(expires, TimeSpan.Zero));
            }

            shift += TimeSpan.FromSeconds(seconds - signed);
        }
    }

    private async Task<Uri> SignAsync(string key, DateTime expires, CancellationToken cancellationToken) =>
        new(await _client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = _settings.Bucket,
            Key = ObjectKey(key),
            Verb = HttpVerb.GET,
            Expires = expires,
            Protocol = _settings.Https ? Protocol.HTTPS : Protocol.HTTP,
        }).WaitAsync(cancellationToken).ConfigureAwait(false));

    private static long? ExpiresSecondsOf(Uri url) =>
        long.TryParse(QueryValue(url, "X-Amz-Expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;

    private static string? QueryValue(Uri url, string name)
    {
        foreach (var pair in url.Query.TrimStart('?').Split('&'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).Equals(name, StringComparison.Ordinal))
            {
                return Uri.UnescapeDataString(pair[(equals + 1)..]);
            }
        }

        return null;
    }

    /// <summary>What the server will enforce: <c>X-Amz-Date</c> + <c>X-Amz-Expires</c> as signed into the URL.</summary>
    internal static DateTimeOffset? ExpiryOf(Uri url) =>
        DateTimeOffset.TryParseExact(QueryValue(url, "X-Amz-Date"), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signed)
            && ExpiresSecondsOf(url) is { } lifetime
            ? signed.AddSeconds(lifetime)
            : null;

    public void Dispose() => _client.Dispose();

    internal static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Whether the SDK's body check failed. A GET body is read through the SDK's <see cref="HashStream"/> (the MD5 of a
    /// single-part object's ETag, or a response checksum), which throws a bare <see cref="AmazonClientException"/> when
    /// the hash of what arrived differs; the exception carries nothing more, so the typed signal is the stream's own
    /// state: a hash computed over the whole body that is not the one expected. (S3StorageProviderTests pins this.)
    /// </summary>
    internal static bool ReportsChecksumMismatch(Stream body) =>
        WrapperStream.SearchWrappedStream(body, stream => stream is HashStream { CalculatedHash: { Length: > 0 } calculated, ExpectedHash: { Length: > 0 } expected }
            && !calculated.AsSpan().SequenceEqual(expected)) is not null;

    internal string ObjectKey(string key) => _settings.KeyPrefix + key;

    private PutObjectRequest PutRequest(string key, ReadOnlyMemory<byte> content, bool ifNoneMatch)
    {
        // The envelope is read where it lies (a cached proof's native block, say): no copy of its bytes.
        Stream body = MemoryMarshal.TryGetArray(content, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new ReadOnlyMemoryStream(content);
        var request = new PutObjectRequest
        {
            BucketName = _settings.Bucket,
            Key = ObjectKey(key),
            InputStream = body,
            AutoCloseStream = true,
            ContentType = "application/octet-stream",
            // One plain body: no aws-chunked framing or trailing checksum (R2 and the local server reject them).
            UseChunkEncoding = false,
            DisablePayloadSigning = _settings.DisablePayloadSigning,
        };
        request.Metadata[Sha256Header] = Sha256Hex(content.Span);
        if (ifNoneMatch)
        {
            request.IfNoneMatch = "*";
        }

        if (_settings.ServerSideEncryption)
        {
            request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256;
        }

        return request;
    }

    private CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_settings.OperationTimeout);
        return source;
    }

    private bool IsUnavailable(Exception ex, CancellationToken cancellationToken)
    {
        if (ex is ProofIntegrityException || cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var unavailable = ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException
            or TimeoutException or OperationCanceledException;
        if (unavailable)
        {
            Log.CallFailed(_logger, ex, Name, ex.GetType().Name);
        }

        return unavailable;
    }

    private StorageUnavailableException Unavailable(string operation, Exception ex)
    {
        // What a readiness probe cached may be stale now: the next probe asks the server.
        lock (_healthGate)
        {
            _health = null;
        }

        return new StorageUnavailableException(Name, $"The S3 provider {Name} could not {operation} ({Detail(ex)}).", ex);
    }

    private static string Detail(Exception ex) =>
        ex is AmazonServiceException service ? $"{(int)service.StatusCode} {service.ErrorCode}" : ex.GetType().Name;
}
