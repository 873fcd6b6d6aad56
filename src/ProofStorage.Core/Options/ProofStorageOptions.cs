using System.ComponentModel.DataAnnotations;

namespace ProofStorage.Core.Options;

/// <summary>
/// Service-wide settings.
/// <code>
/// "ProofStorage": { "DataPath": "data", "MaxRecordBytes": 10485760 }
/// </code>
/// </summary>
public sealed class ProofStorageOptions
{
    public const string SectionName = "ProofStorage";

    /// <summary>Folder for local state (filesystem provider default root, generated development key). Relative paths are resolved against the content root.</summary>
    [Required]
    public string DataPath { get; set; } = "data";

    /// <summary>Largest record (uncompressed JSON) the store accepts or will decompress.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxRecordBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted inside a proof.</summary>
    [Range(1, 1000)]
    public int MaxProofDepth { get; set; } = 64;
}

/// <summary>
/// AES-256-GCM keys. Several keys with ids, one active: rotate by adding a key and making it active; keep the
/// old ones so older objects stay readable.
/// <code>
/// "ProofStorage": { "Encryption": { "ActiveKeyId": "k2", "Keys": { "k1": "&lt;base64 32 bytes&gt;", "k2": "&lt;base64 32 bytes&gt;" } } }
/// </code>
/// In Development with no key configured, one is generated once into <c>{DataPath}/keys/</c>. Anywhere else a
/// missing key stops the service at start-up.
/// </summary>
public sealed class EncryptionOptions
{
    public const string SectionName = "ProofStorage:Encryption";

    /// <summary>The key new objects are encrypted with.</summary>
    public string? ActiveKeyId { get; set; }

    /// <summary>Key id → base64 of 32 random bytes. Supply through environment variables or a secret store, never a committed file.</summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The in-process (L1) cache. Checked at start-up by <see cref="CacheOptionsValidator"/>.
/// <code>
/// "ProofStorage": { "Cache": { "MemorySizeLimitBytes": 67108864, "MemoryDuration": "01:00:00", "NegativeDuration": "00:00:03" } }
/// </code>
/// </summary>
public sealed class CacheOptions
{
    public const string SectionName = "ProofStorage:Cache";

    /// <summary>Byte budget of the L1 cache (record JSON + gzip bytes + stored envelope + overhead per entry); 0 or more.</summary>
    public long MemorySizeLimitBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long an entry stays in L1 after it was cached (absolute, not sliding); longer than zero.</summary>
    public TimeSpan MemoryDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long "no proof with this id" is remembered: in the distributed level when there is one (a store on any
    /// instance overwrites it), otherwise in this instance's memory (its own stores replace it). Unset: 3 seconds when
    /// a distributed level with a backplane is configured, otherwise not remembered. <c>00:00:00</c> turns it off;
    /// negative values are refused.
    /// </summary>
    public TimeSpan? NegativeDuration { get; set; }
}
