using System.Globalization;
using System.Text;
using ProofStorage.Testing;

namespace ProofStorage.Migrate.Tests;

/// <summary>A generated legacy folder whose expected outcome is known item by item.</summary>
public sealed class LegacyFolder
{
    /// <summary>The record limit the tests configure, so one record can exceed it cheaply.</summary>
    public const int MaxRecordBytes = 16 * 1024;

    private LegacyFolder(string path) => Path = path;

    public string Path { get; }

    /// <summary>Legacy id → the exact bytes of its proof value in the file.</summary>
    public Dictionary<string, byte[]> Proofs { get; } = new(StringComparer.Ordinal);

    /// <summary>Legacy id → image label.</summary>
    public Dictionary<string, string> Images { get; } = new(StringComparer.Ordinal);

    /// <summary>Legacy id → createdAt as written.</summary>
    public Dictionary<string, string> CreatedAt { get; } = new(StringComparer.Ordinal);

    public List<string> InvalidFiles { get; } = [];

    /// <summary>Legacy ids of duplicates whose proof differs from the first record of their image.</summary>
    public List<string> SupersededIds { get; } = [];

    public List<string> ValidFiles { get; } = [];

    public int UniqueImages { get; private set; }

    public int Valid => Proofs.Count;

    public int Duplicates => Valid - UniqueImages;

    /// <summary>
    /// <paramref name="unique"/> images (files a-*), <paramref name="exactDuplicates"/> repeats with the same proof (b-*),
    /// one repeat with another proof (c-*), and three invalid files: malformed JSON, no imageHash, over MaxRecordBytes.
    /// </summary>
    public static LegacyFolder Create(string path, int unique = 30, int exactDuplicates = 5, bool withInvalid = true, int padding = 0)
    {
        Directory.CreateDirectory(path);
        var folder = new LegacyFolder(path);
        for (var i = 0; i < unique; i++)
        {
            folder.Write($"a-{i:D5}.json", $"legacy-{i:D5}", $"image-{i}", Proof(i, "original", padding), i);
        }

        for (var i = 0; i < exactDuplicates; i++)
        {
            folder.Write($"b-{i:D5}.json", $"dup-{i:D5}", $"image-{i}", Proof(i, "original", padding), i);
        }

        if (unique > 0)
        {
            folder.Write("c-00000.json", "superseded-00000", "image-0", Proof(0, "re-signed", padding), 0);
            folder.SupersededIds.Add("superseded-00000");
        }

        folder.UniqueImages = unique;
        if (withInvalid)
        {
            folder.WriteInvalid("x-malformed.json", "{\"id\":\"broken\",\"imageHash\":");
            folder.WriteInvalid("y-no-hash.json", "{\"id\":\"nohash\",\"createdAt\":\"2019-01-01T00:00:00Z\",\"proof\":{}}");
            var huge = new string('x', MaxRecordBytes + 100);
            folder.WriteInvalid("z-oversized.json",
                $"{{\"id\":\"huge\",\"imageHash\":\"{TestKeys.ImageHash("huge")}\",\"createdAt\":\"2019-01-01T00:00:00Z\",\"proof\":{{\"blob\":\"{huge}\"}}}}");
        }

        return folder;
    }

    /// <summary>A proof with odd but valid formatting (spaces, escapes, number forms) so only a byte copy keeps it.</summary>
    private static string Proof(int i, string kind, int padding) =>
        $"{{ \"sig\" : \"MEUCIQ{i}\\u00e9\\/x\",  \"kind\":\"{kind}\", \"n\": 1.50e0, \"nested\": [ 1, {{\"ü\": true}} ]{(padding > 0 ? $", \"pad\": \"{new string('p', padding)}\"" : "")} }}";

    private void Write(string file, string id, string image, string proof, int i)
    {
        var createdAt = string.Create(CultureInfo.InvariantCulture, $"2019-{1 + i % 12:D2}-{1 + i % 28:D2}T10:{i % 60:D2}:00.{i % 1000:D3}Z");
        var json = $"{{\"id\":\"{id}\",\"imageHash\":\"{TestKeys.ImageHash(image)}\",\"createdAt\":\"{createdAt}\"," +
                   $"\"metadata\":{{\"place\":\"Zürich 東京 🌍\",\"n\":\"{i}\"}},\"proof\":{proof}}}";
        File.WriteAllText(System.IO.Path.Combine(Path, file), json, new UTF8Encoding(false));
        Proofs[id] = Encoding.UTF8.GetBytes(proof);
        Images[id] = image;
        CreatedAt[id] = createdAt;
        ValidFiles.Add(file);
    }

    private void WriteInvalid(string file, string content)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, file), content, new UTF8Encoding(false));
        InvalidFiles.Add(file);
    }
}
