using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using ProofStorage.Api.Security;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ProofStorage.IntegrationTests.Security;

/// <summary>
/// The key match both ways it is made: a key's first presentation is hashed, later ones are compared with the keys
/// remembered from earlier matches. Neither may let a near miss through.
/// </summary>
public sealed class ApiKeyStoreTests
{
    private const string Reader = "psk_reader_0123456789abcdefghijklmnopqrstuv";
    private const string Writer = "psk_writer_0123456789abcdefghijklmnopqrstuv";

    [Fact]
    public void AKeyPresentedAgain_MatchesTheSameKey_AndNearMissesNeverMatch()
    {
        var store = Store();

        // First the hashed path, then the remembered one, for each key.
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal("reader", store.Match(Reader)?.Name);
            Assert.Equal("writer", store.Match(Writer)?.Name);
        }

        string[] nearMisses =
        [
            Reader[..^1] + "w",    // same length, last character differs
            Reader[..^1],          // a prefix
            Reader + "v",          // one character more
            Reader.ToUpperInvariant(),
            "psk_reader_0123456789abcdefghijklmnopqrstu\u00fc", // same length in UTF-16, longer in UTF-8
            string.Empty,
            new string('a', ApiKeyHash.MaxKeyLength + 1),
        ];
        Assert.All(nearMisses, key => Assert.Null(store.Match(key)));
        Assert.Equal("reader", store.Match(Reader)?.Name);
    }

    private static ApiKeyStore Store()
    {
        var options = new AuthOptions();
        options.Keys["reader"] = new ApiKeyOptions { Hash = ApiKeyHash.Hash(Reader), Scopes = [ProofStorageScopes.Read] };
        options.Keys["writer"] = new ApiKeyOptions { Hash = ApiKeyHash.Hash(Writer), Scopes = [ProofStorageScopes.Write] };
        return new ApiKeyStore(MsOptions.Create(options), new HostingEnvironment { EnvironmentName = Environments.Production });
    }
}
