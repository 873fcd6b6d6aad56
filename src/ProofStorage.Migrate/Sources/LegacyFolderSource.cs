using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ProofStorage.Core;
using ProofStorage.Core.Model;

namespace ProofStorage.Migrate.Sources;

/// <summary>
/// The old system's layout: a folder of <c>*.json</c> files, one record each,
/// <c>{"id","imageHash","createdAt","proof","metadata"?}</c>, never deduplicated. Files are read, never changed;
/// <see cref="DeleteAsync"/> removes one only when the migration asks (after verification).
/// </summary>
internal sealed class LegacyFolderSource(string folder, int maxFileBytes) : IMigrationSource
{
    private readonly string _folder = Path.GetFullPath(folder);

    public string Description => "legacy folder " + _folder;

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_folder))
        {
            throw new DirectoryNotFoundException($"The legacy folder {_folder} does not exist.");
        }

        var names = Directory.EnumerateFiles(_folder, "*.json", new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = FileAttributes.Hidden })
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(names);
    }

    public async Task<SourceLoad> LoadAsync(string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_folder, name);
        byte[] bytes;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > maxFileBytes)
            {
                return SourceLoad.Rejected(name, $"the file is {length} bytes, over the {maxFileBytes}-byte limit of a record", length);
            }

            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return SourceLoad.Rejected(name, "the file disappeared while the migration ran", 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException("legacy", $"Could not read {path}.", ex);
        }

        return Parse(name, bytes);
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_folder, name);
        try
        {
            if (!File.Exists(path))
            {
                return Task.FromResult(false);
            }

            File.Delete(path);
            return Task.FromResult(true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException("legacy", $"Could not delete {path}.", ex);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Validates one legacy record; the <c>proof</c> value is kept as the exact bytes found in the file.</summary>
    internal static SourceLoad Parse(string name, byte[] bytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 4096 });
        }
        catch (JsonException ex)
        {
            return SourceLoad.Rejected(name, "malformed JSON: " + ex.Message, bytes.Length);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return SourceLoad.Rejected(name, "a legacy record is a JSON object", bytes.Length);
            }

            if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String || !ProofIds.IsValid(idElement.GetString()))
            {
                return SourceLoad.Rejected(name, "id is missing or not 1-128 characters of A-Z, a-z, 0-9, '_' or '-'", bytes.Length);
            }

            if (!root.TryGetProperty("imageHash", out var hashElement) || hashElement.ValueKind != JsonValueKind.String
                || !ImageHash.TryParse(hashElement.GetString(), out var imageHash))
            {
                return SourceLoad.Rejected(name, "imageHash is missing or not 64 hexadecimal characters", bytes.Length);
            }

            DateTimeOffset? createdAt = null;
            if (root.TryGetProperty("createdAt", out var createdElement) && createdElement.ValueKind != JsonValueKind.Null)
            {
                if (createdElement.ValueKind != JsonValueKind.String
                    || !DateTimeOffset.TryParse(createdElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return SourceLoad.Rejected(name, "createdAt is not an ISO-8601 timestamp", bytes.Length);
                }

                createdAt = parsed;
            }

            if (!root.TryGetProperty("proof", out var proofElement) || proofElement.ValueKind == JsonValueKind.Null)
            {
                return SourceLoad.Rejected(name, "proof is missing or null", bytes.Length);
            }

            Dictionary<string, string>? metadata = null;
            if (root.TryGetProperty("metadata", out var metadataElement) && metadataElement.ValueKind != JsonValueKind.Null)
            {
                if (metadataElement.ValueKind != JsonValueKind.Object)
                {
                    return SourceLoad.Rejected(name, "metadata is not an object", bytes.Length);
                }

                metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in metadataElement.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.String)
                    {
                        return SourceLoad.Rejected(name, $"metadata['{property.Name}'] is not a string", bytes.Length);
                    }

                    metadata[property.Name] = property.Value.GetString()!;
                }
            }

            // The exact bytes of the value as the file holds them: signatures over its text stay valid.
            var proof = JsonMarshal.GetRawUtf8Value(proofElement).ToArray();
            return SourceLoad.Valid(new SourceItem(name, idElement.GetString(), imageHash, createdAt, proof, metadata, bytes.Length));
        }
    }
}
