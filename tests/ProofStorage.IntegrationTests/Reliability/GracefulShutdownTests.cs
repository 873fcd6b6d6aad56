using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ProofStorage.Testing;
using Xunit.Abstractions;

namespace ProofStorage.IntegrationTests.Reliability;

/// <summary>SIGTERM lets in-flight requests finish, but no longer than the configured shutdown timeout.</summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> LogRequestStarts = new()
    {
        // "Request starting …" is how the test knows the slow request is inside the server before SIGTERM.
        ["Serilog__MinimumLevel__Override__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
    };

    [Fact]
    public async Task Sigterm_DrainsAnInFlightUpload_ThenExitsCleanly()
    {
        var dataPath = TestFolders.New("shutdown");
        var settings = new Dictionary<string, string>(LogRequestStarts) { ["ProofStorage__Overload__ShutdownTimeout"] = "00:02:00" };
        await using var service = await ServiceProcess.StartAsync(dataPath, settings);
        var body = new GatedContent($"{{\"imageHash\":\"{TestKeys.ImageHash("drain")}\",\"proof\":{{\"claim\":\"drain\"}}}}");

        var upload = service.Client.PostAsync("/v1/proofs", body);
        await service.WaitForLogAsync("Request starting HTTP/1.1 POST", TimeSpan.FromSeconds(60));
        service.Terminate();
        await service.WaitForLogAsync("Application is shutting down", TimeSpan.FromSeconds(60));
        var drained = System.Diagnostics.Stopwatch.StartNew();
        body.Release();
        using var response = await upload;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(90)), "the service did not exit after draining");
        Assert.Equal(0, service.ExitCode);
        output.WriteLine($"in-flight upload completed {response.StatusCode} after SIGTERM; exit code 0 {drained.Elapsed.TotalSeconds:F2} s after its body was finished");

        await using var restarted = await ServiceProcess.StartAsync(dataPath);
        using var stored = await restarted.Client.GetAsync($"/v1/proofs/by-image/{TestKeys.ImageHash("drain")}");
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
    }

    [Fact]
    public async Task Sigterm_WithARequestThatNeverFinishes_ExitsWithinTheShutdownTimeout_AndStoresNothing()
    {
        var dataPath = TestFolders.New("shutdown");
        var settings = new Dictionary<string, string>(LogRequestStarts) { ["ProofStorage__Overload__ShutdownTimeout"] = "00:00:02" };
        await using var service = await ServiceProcess.StartAsync(dataPath, settings);
        var body = new GatedContent($"{{\"imageHash\":\"{TestKeys.ImageHash("stuck")}\",\"proof\":{{\"claim\":\"stuck\"}}}}");

        var upload = service.Client.PostAsync("/v1/proofs", body);
        await service.WaitForLogAsync("Request starting HTTP/1.1 POST", TimeSpan.FromSeconds(60));
        var terminated = System.Diagnostics.Stopwatch.StartNew();
        service.Terminate();

        // The request never finishes: only the shutdown timeout ends the process. It waited for the request (no exit
        // before the 2 s configured) and gave up on it long before the 30 s default would have.
        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(20)), "the service was still running 20 s after SIGTERM: the configured 2 s shutdown timeout was not applied");
        var took = terminated.Elapsed;
        body.Release();
        await Assert.ThrowsAnyAsync<Exception>(() => upload);

        output.WriteLine($"ShutdownTimeout 2 s: exited {took.TotalSeconds:F2} s after SIGTERM with a request still open");
        Assert.True(took >= TimeSpan.FromSeconds(1.5), $"exited {took} after SIGTERM: it did not wait for the request in flight");
        var proofs = Path.Combine(dataPath, "proofs");
        Assert.False(Directory.Exists(proofs) && Directory.EnumerateFiles(proofs, "*", SearchOption.AllDirectories).Any(f => !Path.GetFileName(f).StartsWith('.')));
    }

    /// <summary>A request body that sends its first half at once and the rest only when released.</summary>
    private sealed class GatedContent : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public GatedContent(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        public void Release() => _gate.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = _bytes.Length / 2;
            await stream.WriteAsync(_bytes.AsMemory(0, half));
            await stream.FlushAsync();
            await _gate.Task;
            await stream.WriteAsync(_bytes.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }
}
