namespace ProofStorage.Testing;

/// <summary>Where the repository is, seen from a test assembly's output folder.</summary>
public static class TestPaths
{
    /// <summary>The folder holding <c>ProofStorage.sln</c> above the test's output folder.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ProofStorage.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ProofStorage.sln not found above " + AppContext.BaseDirectory);
    }
}
