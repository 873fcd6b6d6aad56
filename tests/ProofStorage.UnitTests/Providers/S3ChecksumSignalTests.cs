using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Util;
using ProofStorage.Providers.S3;

namespace ProofStorage.UnitTests.Providers;

/// <summary>
/// Pins the AWS SDK behaviour <see cref="S3StorageProvider"/> relies on to tell a damaged body from an unreachable
/// store: the SDK reads a GET body through an <see cref="MD5Stream"/> that throws a bare <see cref="AmazonClientException"/>
/// at the end of a body whose MD5 is not the ETag's, and leaves both hashes on the stream.
/// </summary>
public sealed class S3ChecksumSignalTests
{
    private static readonly byte[] Written = "the bytes as they were written"u8.ToArray();

    /// <summary>What S3 puts in a single-part object's ETag (not a security use: the SDK's integrity check of the body).</summary>
#pragma warning disable CA5351
    private static readonly byte[] WrittenETag = MD5.HashData(Written);
#pragma warning restore CA5351

    [Fact]
    public async Task BodyThatDiffersFromItsETag_ThrowsAtTheEndAndIsReportedAsAMismatch()
    {
        var arrived = (byte[])Written.Clone();
        arrived[3] ^= 0x40;
        using var body = new MD5Stream(new MemoryStream(arrived), WrittenETag, arrived.Length);

        await Assert.ThrowsAsync<AmazonClientException>(() => body.CopyToAsync(Stream.Null));

        Assert.True(S3StorageProvider.ReportsChecksumMismatch(body));
    }

    [Fact]
    public async Task IntactBody_IsNotAMismatch()
    {
        using var body = new MD5Stream(new MemoryStream(Written), WrittenETag, Written.Length);

        await body.CopyToAsync(Stream.Null);

        Assert.False(S3StorageProvider.ReportsChecksumMismatch(body));
    }

    [Fact]
    public void AnyOtherStream_IsNotAMismatch()
    {
        using var body = new MemoryStream(Written);

        Assert.False(S3StorageProvider.ReportsChecksumMismatch(body));
    }
}
