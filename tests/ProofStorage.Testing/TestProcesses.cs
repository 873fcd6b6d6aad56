using System.Diagnostics;

namespace ProofStorage.Testing;

/// <summary>How tests start a built .NET program (the service, the migration CLI) as a child process.</summary>
public static class TestProcesses
{
    /// <summary>
    /// <c>dotnet ASSEMBLY ARGS</c> with stdout and stderr redirected, in <paramref name="workingDirectory"/> when given.
    /// The runtime opens no diagnostic IPC socket or debugger pipes: tests kill these processes, and a killed runtime
    /// leaves them behind in /tmp.
    /// </summary>
    public static ProcessStartInfo Dotnet(string assembly, IEnumerable<string> args, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        return start;
    }

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="args"/> to completion (killed after <paramref name="timeout"/>)
    /// and returns its exit code, standard output and standard error. A program that is not installed throws
    /// <see cref="InvalidOperationException"/> with <paramref name="install"/> (what to run to get it).
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, IEnumerable<string> args, string workingDirectory,
        TimeSpan timeout, string install)
    {
        ArgumentNullException.ThrowIfNull(args);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} is not installed: {install}", ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s.");
            }

            return (process.ExitCode, await output.ConfigureAwait(false), await errors.ConfigureAwait(false));
        }
    }

    /// <summary>Sends a POSIX signal (<c>TERM</c>, <c>STOP</c>, <c>CONT</c>, …) to a process, as an orchestrator or an operator would.</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill.");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed with exit code {kill.ExitCode}.");
        }
    }
}
