using System.IO.Compression;
using System.Xml.Linq;
using ProofStorage.Testing;

namespace ProofStorage.EndToEndTests.Clients;

/// <summary><c>dotnet pack</c> of src/ProofStorage.Client gives a NuGet package a caller can reference, with its README.</summary>
public sealed class ClientPackageTests
{
    [Fact]
    public async Task DotnetPack_ProducesAPackageWithTheLibraryItsDependenciesAndItsReadme()
    {
        var output = TestFolders.New("client-pack");
        var configuration = typeof(ClientPackageTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        var project = Path.Combine(RepositoryPaths.Root, "src", "ProofStorage.Client", "ProofStorage.Client.csproj");

        var (exitCode, log, errors) = await TestProcesses.RunAsync("dotnet", ["pack", project, "-c", configuration, "--no-build", "-o", output],
            RepositoryPaths.Root, TimeSpan.FromMinutes(5), "the .NET SDK");

        Assert.True(exitCode == 0, log + errors);
        var package = Assert.Single(Directory.GetFiles(output, "ProofStorage.Client.*.nupkg"));
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net10.0/ProofStorage.Client.dll", entries);
        Assert.Contains("lib/net10.0/ProofStorage.Client.xml", entries);
        var readme = zip.GetEntry("README.md");
        Assert.NotNull(readme);
        using (var reader = new StreamReader(readme.Open()))
        {
            Assert.Contains("AddProofStorageClient", await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }

        using var nuspecStream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var nuspec = XDocument.Load(nuspecStream);
        XNamespace ns = nuspec.Root!.Name.NamespaceName;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("ProofStorage.Client", metadata.Element(ns + "id")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.Contains(metadata.Descendants(ns + "dependency"), d => d.Attribute("id")!.Value == "Microsoft.Extensions.Http.Resilience");
    }
}
