using ProofStorage.Providers.FileSystem;
using ProofStorage.Testing;

namespace ProofStorage.UnitTests.Providers;

public sealed class FileSystemKeyMappingTests
{
    private static readonly FileSystemStorageProvider Provider = new("fs", new FileSystemStorageOptions { Path = TestFolders.New("mapping") });

    [Theory]
    [InlineData("../escape")]
    [InlineData("proofs/../../etc/passwd")]
    [InlineData("/absolute")]
    [InlineData("proofs//double")]
    [InlineData("proofs/.hidden")]
    [InlineData("proofs/..")]
    [InlineData("proofs\\..\\x")]
    [InlineData("proofs/a b")]
    [InlineData("proofs/%2e%2e")]
    [InlineData("")]
    public void PathFor_UnsafeKey_IsRejected(string key) => Assert.Throws<ArgumentException>(() => Provider.PathFor(key));

    [Fact]
    public void PathFor_ProofKey_MapsUnderRootWithFanOut()
    {
        var path = Provider.PathFor("proofs/AbCdEfGhIjKlMnOpQrStUv");

        Assert.Equal(Path.Combine(Provider.Root, "proofs", "Ab", "AbCdEfGhIjKlMnOpQrStUv"), path);
    }
}
