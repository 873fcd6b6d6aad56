using System.Reflection;

namespace ProofStorage.EndToEndTests;

/// <summary>Where the repository, the built service and the test artifacts are.</summary>
internal static class RepositoryPaths
{
    /// <summary>Environment variable naming the folder screenshots go to (CI uploads it); default <c>TestResults/artifacts</c>.</summary>
    public const string ArtifactsVariable = "PROOFSTORAGE_TEST_ARTIFACTS";

    public static string Root { get; } = FindRoot();

    /// <summary>The service as built beside these tests (same configuration), run as <c>dotnet ProofStorage.Api.dll</c>.</summary>
    public static string ServiceAssembly
    {
        get
        {
            var configuration = typeof(RepositoryPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var path = Path.Combine(Root, "src", "ProofStorage.Api", "bin", configuration, "net10.0", "ProofStorage.Api.dll");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"{path} is missing: build the solution (dotnet build ProofStorage.sln -c {configuration}) first.");
        }
    }

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
