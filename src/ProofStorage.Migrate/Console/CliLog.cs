using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace ProofStorage.Migrate.Console;

/// <summary>
/// Where the CLI's log lines go: one line per event (<c>warn: ProofStorage.Migrate[5000] Skipped a.json: …</c>), to
/// stderr, or, when the live progress bar is on screen, through the Spectre.Console console that draws it.
/// </summary>
/// <remarks>
/// The live bar redraws itself in place by moving the cursor back over the lines it drew last. A line written to the
/// same terminal behind its back lands inside that area and is overwritten or split by the next redraw. Written
/// through the console instead, it goes through the bar's render hook, which prints it above the bar and draws the
/// bar again below it.
/// </remarks>
internal sealed class CliLog(TextWriter error, IAnsiConsole? live = null) : ILoggerProvider
{
    private readonly Lock _lock = new();

    public ILogger CreateLogger(string categoryName) => new CliLogger(this, categoryName);

    public void Dispose()
    {
    }

    internal static string Format(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var line = $"{Label(level)}: {category}[{eventId.Id}] {message}";
        return exception is null ? line : line + Environment.NewLine + exception;
    }

    private void Write(string line)
    {
        if (live is not null)
        {
            // The console serialises writes with the bar's refresh; Text, not markup: log text is not escaped.
            live.WriteLine(line);
            return;
        }

        lock (_lock)
        {
            error.WriteLine(line);
        }
    }

    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private sealed class CliLogger(CliLog sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
            {
                sink.Write(Format(logLevel, category, eventId, formatter(state, exception), exception));
            }
        }
    }
}
