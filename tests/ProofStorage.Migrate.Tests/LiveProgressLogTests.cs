using System.Text;
using ProofStorage.Migrate.Console;
using ProofStorage.Migrate.Migration;
using Spectre.Console;

namespace ProofStorage.Migrate.Tests;

/// <summary>
/// A warning logged while the live progress bar runs (a skipped record) is shown on its own line above the bar, and
/// the bar is never split by it: what an interactive terminal shows, from the exact bytes the CLI writes to it.
/// </summary>
public sealed class LiveProgressLogTests
{
    private const string Title = "migrating";

    [Fact]
    public async Task WarningDuringTheLiveBar_IsPrintedAboveTheBar_AndNeverInsideIt()
    {
        var terminal = new RecordingTerminal();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(terminal),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
        });
        console.Profile.Width = 100;
        using var logs = new CliLog(TextWriter.Null, live: console);
        var logger = logs.CreateLogger("ProofStorage.Migrate");

        await new LiveProgressView(console).RunAsync(10, Title, async advance =>
        {
            // Bar on screen, then the warning from a worker thread (as the runner logs), then the bar drawn again.
            advance(4);
            await WaitForFramesAsync(terminal, 1);
            await Task.Run(() => Log.ItemSkipped(logger, "broken.json", "not JSON"));
            var framesWithTheWarning = terminal.Frames;
            advance(6);
            await WaitForFramesAsync(terminal, framesWithTheWarning + 1);
        });

        var screen = Screen.Render(terminal.Text);
        var shown = screen.Where(l => l.Contains("broken.json", StringComparison.Ordinal)).ToList();
        Assert.True(shown.Count == 1 && shown[0].StartsWith("warn: ProofStorage.Migrate[", StringComparison.Ordinal)
            && shown[0].EndsWith("] Skipped broken.json: not JSON", StringComparison.Ordinal), "the warning is not a line of its own:\n" + string.Join('\n', screen));
        var bar = screen.FindLastIndex(l => l.Contains(Title, StringComparison.Ordinal));
        Assert.True(bar > screen.IndexOf(shown[0]), "the bar is not below the warning:\n" + string.Join('\n', screen));
        Assert.Single(screen, l => l.Contains(Title, StringComparison.Ordinal));
        Assert.Contains("100% 10/10", screen[bar], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheLiveBar_EachSkippedRecordIsWarnedOnTheErrorWriter_NotInTheProgressOutput()
    {
        using var workspace = new MigrationWorkspace();
        var legacy = LegacyFolder.Create(workspace.LegacyPath, unique: 5, exactDuplicates: 0, withInvalid: true);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await MigrationCli.RunAsync(["--config", workspace.ConfigPath, "--no-checkpoint", "--source", legacy.Path], output, error,
            interactive: false, CancellationToken.None);

        Assert.Equal(3, exitCode); // done, with the invalid files skipped
        var warnings = error.ToString().Split('\n').Where(l => l.StartsWith("warn: ProofStorage.Migrate[", StringComparison.Ordinal)).ToList();
        Assert.All(legacy.InvalidFiles, file => Assert.Contains(warnings, w => w.Contains("Skipped " + Path.GetFileName(file), StringComparison.Ordinal)));
        Assert.DoesNotContain("Skipped ", output.ToString(), StringComparison.Ordinal);
    }

    private static Task WaitForFramesAsync(RecordingTerminal terminal, int frames) =>
        Poll.UntilAsync(() => terminal.Frames >= frames, TimeSpan.FromSeconds(60), $"{frames} frame(s) of the progress bar");

    /// <summary>A terminal's input: everything written, kept in order; counts the bar's frames as they are drawn.</summary>
    private sealed class RecordingTerminal : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        /// <summary>Bar frames so far (each carries the title once).</summary>
        public int Frames
        {
            get
            {
                var text = Text;
                var count = 0;
                for (var at = text.IndexOf(Title, StringComparison.Ordinal); at >= 0; at = text.IndexOf(Title, at + 1, StringComparison.Ordinal))
                {
                    count++;
                }

                return count;
            }
        }

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }
    }

    /// <summary>
    /// The screen a VT100-style terminal shows after some output: printable characters overwrite the cell under the
    /// cursor; <c>\n</c> moves to the start of the next line, <c>\r</c> to the start of this one, <c>ESC[nA</c> up n
    /// lines, <c>ESC[K</c>/<c>ESC[2K</c> erase; other escape sequences (cursor visibility, colours) change no cell.
    /// </summary>
    private static class Screen
    {
        public static List<string> Render(string output)
        {
            var lines = new List<StringBuilder> { new() };
            int row = 0, column = 0;
            for (var i = 0; i < output.Length; i++)
            {
                var c = output[i];
                if (c == '\u001b' && i + 1 < output.Length && output[i + 1] == '[')
                {
                    var end = i + 2;
                    while (end < output.Length && !char.IsAsciiLetter(output[end]))
                    {
                        end++;
                    }

                    var argument = output[(i + 2)..end];
                    switch (output[end])
                    {
                        case 'A':
                            row = Math.Max(0, row - (argument.Length == 0 ? 1 : int.Parse(argument, System.Globalization.CultureInfo.InvariantCulture)));
                            break;
                        case 'K' when argument == "2":
                            lines[row].Clear();
                            break;
                        case 'K':
                            lines[row].Length = Math.Min(lines[row].Length, column);
                            break;
                    }

                    i = end;
                }
                else if (c == '\n')
                {
                    row++;
                    column = 0;
                    while (lines.Count <= row)
                    {
                        lines.Add(new StringBuilder());
                    }
                }
                else if (c == '\r')
                {
                    column = 0;
                }
                else
                {
                    var line = lines[row];
                    if (line.Length <= column)
                    {
                        line.Append(' ', column - line.Length).Append(c);
                    }
                    else
                    {
                        line[column] = c;
                    }

                    column++;
                }
            }

            return [.. lines.Select(l => l.ToString().TrimEnd()).Where(l => l.Length > 0)];
        }
    }
}
