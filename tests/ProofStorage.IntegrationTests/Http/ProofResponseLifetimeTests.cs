using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using ProofStorage.Api;
using ProofStorage.Api.Http;
using ProofStorage.Api.Security;
using ProofStorage.Core.Buffers;
using ProofStorage.Core.Caching;
using ProofStorage.Core.Model;
using ProofStorage.Core.Options;
using ProofStorage.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.IntegrationTests.Http;

/// <summary>
/// A response being written holds its proof's bytes: the cache may evict the entry meanwhile, the response still
/// sends the right bytes, and once it is done nothing is left allocated.
/// </summary>
[Collection(NativeMemoryTestGroup.Name)]
public sealed class ProofResponseLifetimeTests
{
    [Fact]
    public async Task AResponseInFlight_WhenItsEntryIsEvicted_StillSendsTheRightBytes_AndThenFreesThem()
    {
        var json = Encoding.UTF8.GetBytes("{\"proofId\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"proof\":{\"claim\":\"" + new string('x', 40_000) + "\"}}");
        var baseline = NativeBuffer.LiveBytes;
        using var cache = new FusionProofCache(MsOptions.Create(new CacheOptions()));
        using (var stored = new ProofDocument("AAAAAAAAAAAAAAAAAAAAAA", ImageHash.Parse(TestKeys.ImageHash("lifetime")), DateTimeOffset.UnixEpoch,
            json, new byte[100], "\"tag\"", new byte[140]))
        {
            await cache.SetAsync(stored, default);
        }

        Assert.True(cache.TryPeek("AAAAAAAAAAAAAAAAAAAAAA", out var document));
        var body = new GatedStream();
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Response.Body = body;

        var sending = new ProofDocumentResult(document, Headers()).ExecuteAsync(context);
        await body.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        await cache.RemoveAsync("AAAAAAAAAAAAAAAAAAAAAA", default);
        Assert.False(cache.TryPeek("AAAAAAAAAAAAAAAAAAAAAA", out _));
        body.Release();
        await sending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(json, body.Written.ToArray());
        await Poll.UntilAsync(() => NativeBuffer.LiveBytes <= baseline, TimeSpan.FromSeconds(30),
            () => $"native bytes still {NativeBuffer.LiveBytes}, baseline {baseline}");
    }

    private static ProofResponseHeaders Headers()
    {
        var environment = new HostingEnvironment { EnvironmentName = Environments.Production };
        var keys = new ApiKeyStore(MsOptions.Create(new AuthOptions()), environment);
        return new ProofResponseHeaders(keys, MsOptions.Create(new CdnOptions()));
    }

    /// <summary>A response body that holds the first write until released, copying what it is given only then.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public MemoryStream Written { get; } = new();

        public void Release() => _release.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _entered.TrySetResult();
            await _release.Task;
            Written.Write(buffer.Span);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written.Length;

        public override long Position { get => Written.Length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Tests that read the process-wide native byte counter run on their own, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryTestGroup
{
    public const string Name = "native memory";
}
