using ProofStorage.Core.Storage;

namespace ProofStorage.Providers.FileSystem;

/// <summary>
/// A filesystem provider instance.
/// <code>
/// "ProofStorage": { "Storage": { "Primary": { "Type": "FileSystem", "Path": "data/proofs", "FlushToDisk": true } } }
/// </code>
/// </summary>
public sealed class FileSystemStorageOptions : StorageProviderOptions
{
    /// <summary>The <c>Type</c> of this provider (also the default type).</summary>
    public const string TypeName = StorageProviderBuilder.DefaultType;

    /// <summary>Root folder. Relative paths resolve against the content root; empty means <c>{DataPath}/proofs</c>.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>fsync each object before acknowledging it (survives power loss, not only a process crash).</summary>
    public bool FlushToDisk { get; set; } = true;
}
