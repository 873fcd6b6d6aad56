using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests;

/// <summary>Where the repository and the test artifacts are.</summary>
internal static class RepositoryPaths
{
    /// <summary>Environment variable naming the folder screenshots go to (CI uploads it); default <c>TestResults/artifacts</c>.</summary>
    public const string ArtifactsVariable = "PROOFSTORAGE_TEST_ARTIFACTS";

    public static string Root => TestPaths.RepositoryRoot;

    public static string Artifacts
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(ArtifactsVariable);
            var folder = string.IsNullOrWhiteSpace(configured) ? Path.Combine(Root, "TestResults", "artifacts") : Path.GetFullPath(configured);
            Directory.CreateDirectory(folder);
            return folder;
        }
    }
}
