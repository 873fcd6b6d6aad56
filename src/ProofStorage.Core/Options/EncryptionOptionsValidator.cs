using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Codec;

namespace ProofStorage.Core.Options;

/// <summary>Cross-field rules for <see cref="EncryptionOptions"/>, with messages an operator can act on.</summary>
internal sealed class EncryptionOptionsValidator(IHostEnvironment environment) : IValidateOptions<EncryptionOptions>
{
    public ValidateOptionsResult Validate(string? name, EncryptionOptions options)
    {
        if (options.Keys.Count == 0)
        {
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    "No encryption key is configured. Set ProofStorage:Encryption:Keys:<id> to the base64 of 32 random bytes " +
                    "(e.g. `openssl rand -base64 32`) and ProofStorage:Encryption:ActiveKeyId to <id>, for example through the " +
                    "environment variables ProofStorage__Encryption__Keys__k1 and ProofStorage__Encryption__ActiveKeyId=k1. " +
                    "Keys are generated automatically only in the Development environment.");
        }

        var failures = new List<string>();
        foreach (var (id, value) in options.Keys)
        {
            if (!EncryptionKeyRing.IsValidKeyId(id))
            {
                failures.Add($"Encryption key id '{id}' is invalid: use 1-{EncryptionKeyRing.MaxKeyIdLength} characters of A-Z, a-z, 0-9, '_' or '-'.");
            }

            if (!TryDecodeKey(value, out _))
            {
                failures.Add($"Encryption key '{id}' is not the base64 of exactly {EncryptionKeyRing.KeySizeBytes} bytes.");
            }
        }

        if (string.IsNullOrEmpty(options.ActiveKeyId))
        {
            failures.Add("ProofStorage:Encryption:ActiveKeyId is not set: name the key new proofs are encrypted with.");
        }
        else if (!options.Keys.ContainsKey(options.ActiveKeyId))
        {
            failures.Add($"ProofStorage:Encryption:ActiveKeyId '{options.ActiveKeyId}' is not one of the configured keys ({string.Join(", ", options.Keys.Keys)}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool TryDecodeKey(string? base64, out byte[] key)
    {
        key = [];
        if (string.IsNullOrWhiteSpace(base64))
        {
            return false;
        }

        var buffer = new byte[EncryptionKeyRing.KeySizeBytes + 3];
        if (!Convert.TryFromBase64String(base64.Trim(), buffer, out var written) || written != EncryptionKeyRing.KeySizeBytes)
        {
            return false;
        }

        key = buffer[..written];
        return true;
    }
}
