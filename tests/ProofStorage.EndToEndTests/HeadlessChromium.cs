using Microsoft.Playwright;

namespace ProofStorage.EndToEndTests;

/// <summary>
/// The distribution's Chromium (Debian package <c>chromium</c>, or <see cref="ChromiumVariable"/>), headless, driven by
/// Playwright's bundled node driver: no browser is downloaded. Shared by the browser tests.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Overrides the browser; default the Debian <c>chromium</c> package's binary.</summary>
    public const string ChromiumVariable = "PROOFSTORAGE_TEST_CHROMIUM";

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var chromium = Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"Chromium not found at {chromium}. Run `bash scripts/install-test-deps.sh` (installs the Debian package 'chromium') or set {ChromiumVariable}.");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                // Root in CI containers cannot use Chromium's user-namespace sandbox; /dev/shm is small in containers.
                Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
