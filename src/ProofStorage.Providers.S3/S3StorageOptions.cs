using ProofStorage.Core.Storage;

namespace ProofStorage.Providers.S3;

/// <summary>
/// One S3-protocol provider instance (<c>"Type": "S3"</c> or <c>"Type": "R2"</c>).
/// <code>
/// "Primary": { "Type": "S3", "Bucket": "proofs", "Region": "eu-west-1", "KeyPrefix": "prod/",
///              "ServiceUrl": null, "AccessKeyId": null, "SecretAccessKey": null,
///              "Timeout": "00:00:05", "OperationTimeout": "00:00:15", "MaxErrorRetry": 3, "RetryMode": "Standard",
///              "ServerSideEncryption": false }
/// "Secondary": { "Type": "R2", "AccountId": "&lt;cloudflare account id&gt;", "Bucket": "proofs",
///                "AccessKeyId": "…", "SecretAccessKey": "…" }
/// </code>
/// Without <c>AccessKeyId</c> the AWS default credential chain is used (environment, profile, instance role).
/// Bound per storage slot (named options) and checked at start-up by <see cref="S3StorageOptionsValidator"/>.
/// </summary>
public sealed class S3StorageOptions : StorageProviderOptions
{
    /// <summary>The <c>Type</c> of an S3 (AWS S3, MinIO, any S3-protocol server) section.</summary>
    public const string S3Type = "S3";

    /// <summary>The <c>Type</c> of a Cloudflare R2 section: the same client, R2's needs as the defaults.</summary>
    public const string R2Type = "R2";

    /// <summary>Endpoint of a non-AWS server (MinIO, R2, a local test server); empty for AWS S3 itself.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Cloudflare account id (R2 only): the endpoint becomes <c>https://{AccountId}.r2.cloudflarestorage.com</c>.</summary>
    public string? AccountId { get; set; }

    /// <summary>The bucket (must exist).</summary>
    public string Bucket { get; set; } = string.Empty;

    /// <summary>Signing region; R2 uses <c>auto</c> (its default here). AWS S3 defaults to <c>us-east-1</c>.</summary>
    public string? Region { get; set; }

    /// <summary>Static credentials; leave both empty to use the default AWS credential chain.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret of <see cref="AccessKeyId"/>. Never logged.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>Prepended to every object key (for example <c>prod/</c>) so several stores can share a bucket.</summary>
    public string KeyPrefix { get; set; } = string.Empty;

    /// <summary>Path-style addressing (<c>host/bucket/key</c>); needed by most non-AWS endpoints. Defaults to on when <c>ServiceUrl</c> is set.</summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary>Timeout of one HTTP attempt (the SDK's default is effectively infinite: a frozen server would block a call forever).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound of one provider call including the SDK's retries.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after the first attempt for transient errors (503 SlowDown, throttling, 5xx, connection failures).</summary>
    public int MaxErrorRetry { get; set; } = 3;

    /// <summary><c>Standard</c> (exponential backoff with jitter) or <c>Adaptive</c> (adds client-side rate limiting under throttling).</summary>
    public string RetryMode { get; set; } = "Standard";

    /// <summary>Ask the server to encrypt at rest as well (<c>x-amz-server-side-encryption: AES256</c>); our own envelope is encrypted regardless.</summary>
    public bool ServerSideEncryption { get; set; }

    /// <summary>
    /// Send <c>UNSIGNED-PAYLOAD</c> instead of signing the body (R2 default, as Cloudflare documents). Only ever
    /// applied over HTTPS: over plain HTTP the body is always signed.
    /// </summary>
    public bool? DisablePayloadSigning { get; set; }

    /// <summary>True for an R2 section.</summary>
    internal bool IsR2() => IsType(R2Type);

    /// <summary>The endpoint to call: <see cref="ServiceUrl"/>, else R2's account endpoint, else <see langword="null"/> (AWS in <see cref="Region"/>).</summary>
    internal string? EffectiveServiceUrl() =>
        !string.IsNullOrWhiteSpace(ServiceUrl) ? ServiceUrl
        : IsR2() && !string.IsNullOrWhiteSpace(AccountId) ? $"https://{AccountId.Trim()}.r2.cloudflarestorage.com"
        : null;
}
