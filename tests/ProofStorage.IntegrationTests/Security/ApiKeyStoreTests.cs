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

    [Fact]
    public void TheRememberedKeyCompare_FindsADifferenceAtEveryPosition_OfEveryLength()
    {
        // Lengths 1-40 cover every split of a key into whole 8-byte words and a tail of 0, 2, 4 or 6 bytes.
        for (var length = 1; length <= 40; length++)
        {
            var key = Reader.PadRight(length, 'x')[..length];
            Assert.True(ApiKeyStore.FixedTimeEquals(key, new string(key.AsSpan())));
            Assert.False(ApiKeyStore.FixedTimeEquals(key, key.AsSpan(0, length - 1)));
            for (var position = 0; position < length; position++)
            {
                var chars = key.ToCharArray();
                chars[position] ^= (char)0x0100; // only the high byte of one character differs
                Assert.False(ApiKeyStore.FixedTimeEquals(key, chars), $"length {length}, high byte at {position}");
                chars[position] ^= (char)0x0101; // only the low byte
                Assert.False(ApiKeyStore.FixedTimeEquals(key, chars), $"length {length}, low byte at {position}");
            }
        }
    }

    private static ApiKeyStore Store()
    {
        var options = new AuthOptions();
        options.Keys["reader"] = new ApiKeyOptions { Hash = ApiKeyHash.Hash(Reader), Scopes = [ProofStorageScopes.Read] };
        options.Keys["writer"] = new ApiKeyOptions { Hash = ApiKeyHash.Hash(Writer), Scopes = [ProofStorageScopes.Write] };
        return new ApiKeyStore(MsOptions.Create(options), new HostingEnvironment { EnvironmentName = Environments.Production });
    }
}
