namespace ProofStorage.Testing;

/// <summary>
/// Scratch folders for tests. Every folder lives under one root per test process, which is deleted when the process
/// exits, so a test run leaves nothing in the temp folder, while a folder a test still needs after its host is disposed
/// (to reopen it, or to hand it to a second process) lives until the end of the run. A test host that is killed
/// instead of exiting (the test platform does that to a host slow to exit) cannot clean up, so each new root first
/// removes the roots of processes that are gone.
/// </summary>
public static class TestFolders
{
    private static readonly Lazy<string> RunRoot = new(CreateRunRoot, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>This process's root: <c>{temp}/proofstorage-tests/run-{pid}-{guid}</c>.</summary>
    public static string Root => RunRoot.Value;

    /// <summary>A fresh path (not created) for one test's folder: <c>{root}/{purpose}/{guid}</c>.</summary>
    public static string New(string purpose) => Path.Combine(Root, purpose, Guid.NewGuid().ToString("N"));

    private static string CreateRunRoot()
    {
        var parent = Path.Combine(Path.GetTempPath(), "proofstorage-tests");
        var root = Path.Combine(parent, $"run-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        foreach (var stale in Directory.EnumerateDirectories(parent, "run-*"))
        {
            var parts = Path.GetFileName(stale).Split('-');
            if (parts.Length == 3 && int.TryParse(parts[1], out var pid) && pid != Environment.ProcessId && !IsAlive(pid))
            {
                TryDelete(stale);
            }
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        return root;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A child process killed by a test may still hold a file for a moment; the OS temp cleaner gets the rest.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
