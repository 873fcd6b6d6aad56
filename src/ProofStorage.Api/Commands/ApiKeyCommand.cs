using ProofStorage.Api.Security;

namespace ProofStorage.Api.Commands;

/// <summary>
/// Tiny key helper run instead of the host:
/// <c>dotnet ProofStorage.Api.dll new-key</c> prints a fresh key and its hash;
/// <c>dotnet ProofStorage.Api.dll hash-key</c> reads a key from stdin (kept out of shell history) and prints its hash;
/// <c>hash-key &lt;key&gt;</c> also works.
/// </summary>
internal static class ApiKeyCommand
{
    public static bool TryRun(string[] args, TextReader input, TextWriter output)
    {
        if (args.Length == 0)
        {
            return false;
        }

        switch (args[0])
        {
            case "new-key":
                var key = ApiKeyHash.NewKey();
                output.WriteLine($"key:  {key}");
                output.WriteLine($"hash: {ApiKeyHash.Hash(key)}");
                output.WriteLine("Give the key to the client; configure only the hash, e.g. ProofStorage__Auth__Keys__<name>__Hash=<hash>.");
                return true;
            case "hash-key":
                var presented = args.Length > 1 ? args[1] : input.ReadLine();
                if (string.IsNullOrWhiteSpace(presented))
                {
                    output.WriteLine("usage: hash-key <key>   (or pipe the key on stdin)");
                    Environment.ExitCode = 2;
                    return true;
                }

                output.WriteLine(ApiKeyHash.Hash(presented.Trim()));
                return true;
            default:
                return false;
        }
    }
}
