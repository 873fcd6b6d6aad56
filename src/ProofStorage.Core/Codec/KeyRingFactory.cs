using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Options;

namespace ProofStorage.Core.Codec;

/// <summary>Builds the key ring from configuration, or (Development only) from a key generated once into the data folder.</summary>
internal static class KeyRingFactory
{
    internal const string DevelopmentKeyFileName = "development-key.json";

    public static EncryptionKeyRing Create(IOptions<EncryptionOptions> encryption, IOptions<ProofStorageOptions> storage,
        IHostEnvironment environment, ILogger logger)
    {
        var options = encryption.Value;
        if (options.Keys.Count > 0)
        {
            var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var (id, value) in options.Keys)
            {
                if (!EncryptionOptionsValidator.TryDecodeKey(value, out var key))
                {
                    throw new OptionsValidationException(EncryptionOptions.SectionName, typeof(EncryptionOptions),
                        [$"Encryption key '{id}' is not the base64 of exactly {EncryptionKeyRing.KeySizeBytes} bytes."]);
                }

                keys[id] = key;
            }

            return new EncryptionKeyRing(options.ActiveKeyId!, keys);
        }

        if (!environment.IsDevelopment())
        {
            // The options validator stops start-up before this; kept so no code path runs without a key.
            throw new OptionsValidationException(EncryptionOptions.SectionName, typeof(EncryptionOptions), ["No encryption key is configured."]);
        }

        var folder = Path.Combine(Path.GetFullPath(storage.Value.DataPath, environment.ContentRootPath), "keys");
        var (keyId, developmentKey) = LoadOrCreateDevelopmentKey(folder);
        Log.DevelopmentKeyInUse(logger, keyId, folder);
        return new EncryptionKeyRing(keyId, new Dictionary<string, byte[]> { [keyId] = developmentKey });
    }

    /// <summary>Reads the development key, creating it once (atomically, mode 0600) when absent.</summary>
    internal static (string KeyId, byte[] Key) LoadOrCreateDevelopmentKey(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, DevelopmentKeyFileName);
        if (!File.Exists(path))
        {
            var key = RandomNumberGenerator.GetBytes(EncryptionKeyRing.KeySizeBytes);
            var keyId = "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            var temp = Path.Combine(folder, $".{Guid.NewGuid():N}.tmp");
            var json = JsonSerializer.SerializeToUtf8Bytes(new DevelopmentKeyFile(keyId, Convert.ToBase64String(key)));
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, fileOptions))
            {
                stream.Write(json);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
                File.Delete(temp);
            }
        }

        var stored = JsonSerializer.Deserialize<DevelopmentKeyFile>(File.ReadAllBytes(path))
            ?? throw new InvalidDataException($"{path} is empty.");
        if (!EncryptionKeyRing.IsValidKeyId(stored.KeyId) || !EncryptionOptionsValidator.TryDecodeKey(stored.Key, out var storedKey))
        {
            throw new InvalidDataException($"{path} does not hold a valid development key; delete it to generate a new one (proofs written under it become unreadable).");
        }

        return (stored.KeyId, storedKey);
    }

    private sealed record DevelopmentKeyFile(string KeyId, string Key);
}
