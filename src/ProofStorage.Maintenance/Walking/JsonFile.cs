using System.Text.Json;

namespace ProofStorage.Maintenance.Walking;

/// <summary>Checkpoints and reports of the operator tools: written whole or not at all.</summary>
internal static class JsonFile
{
    /// <summary>Writes <paramref name="value"/> durably: a temp file beside the target, flushed to disk, then renamed over it (atomic).</summary>
    public static void SaveAtomic<T>(string path, T value, JsonSerializerOptions options)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                JsonSerializer.Serialize(stream, value, options);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Reads a file written by <see cref="SaveAtomic"/>, or <see langword="null"/> when there is none.</summary>
    public static T? Load<T>(string path, JsonSerializerOptions options)
        where T : class =>
        File.Exists(path)
            ? JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), options) ?? throw new InvalidDataException($"The file {path} is empty.")
            : null;
}
