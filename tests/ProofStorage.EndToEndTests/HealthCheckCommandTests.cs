using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests;

/// <summary>
/// <c>dotnet ProofStorage.Api.dll healthcheck</c>, the container HEALTHCHECK, run as the image runs it against the
/// real service: the port comes from <c>ASPNETCORE_HTTP_PORTS</c>, the exit code is the verdict.
/// </summary>
public sealed class HealthCheckCommandTests : IAsyncLifetime
{
    private ServiceProcess _service = null!;

    public async Task InitializeAsync() => _service = await ServiceProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Healthcheck_ServiceAnswers_ExitsZero(string path)
    {
        Assert.Equal(HttpStatusCode.OK, await AnswerAsync(path));

        var (exitCode, output) = await ServiceProcess.RunCommandAsync(Ports(_service.BaseAddress.Port), "healthcheck", path, "--timeout", Patience);

        Assert.True(exitCode == 0, output + "\nservice log:\n" + _service.Output);
        Assert.Contains($"200 http://127.0.0.1:{_service.BaseAddress.Port}{path}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_RouteNotMapped_ExitsOne()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await AnswerAsync("/health/nothing-here"));

        var (exitCode, output) = await ServiceProcess.RunCommandAsync(Ports(_service.BaseAddress.Port), "healthcheck", "/health/nothing-here", "--timeout", Patience);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("401 ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_NothingListening_ExitsOne()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (exitCode, output) = await ServiceProcess.RunCommandAsync(Ports(port), "healthcheck");

        Assert.Equal(1, exitCode);
        Assert.Contains($"unreachable http://127.0.0.1:{port}/health/live", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_ListenerThatNeverAnswers_ExitsOneAfterItsTimeout()
    {
        // Accepts connections (the kernel's backlog) but never reads or answers.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var (exitCode, output) = await ServiceProcess.RunCommandAsync(Ports(port), "healthcheck", "--timeout", "1");

        Assert.Equal(1, exitCode);
        Assert.Contains($"unreachable http://127.0.0.1:{port}/health/live: no answer within 1 s", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The command's own timeout for the tests that expect an answer. Its default (3 s) suits a container
    /// HEALTHCHECK, but here the command is a cold process on a machine that may be busy: a first request took longer
    /// than 3 s there, with the service warm. The verdict must be about the answer, not the machine's load.
    /// </summary>
    private const string Patience = "60";

    /// <summary>
    /// What the service answers on <paramref name="path"/>, asked directly first: the service has served that path
    /// once (its start-up and JIT are behind it) and the test knows the status the command must report.
    /// </summary>
    private async Task<HttpStatusCode> AnswerAsync(string path)
    {
        using var client = _service.CreateClient(apiKey: null);
        using var response = await client.GetAsync(path);
        return response.StatusCode;
    }

    private static Dictionary<string, string> Ports(int port) => new(StringComparer.Ordinal)
    {
        ["ASPNETCORE_HTTP_PORTS"] = port.ToString(CultureInfo.InvariantCulture),
        ["ASPNETCORE_URLS"] = string.Empty,
    };
}
