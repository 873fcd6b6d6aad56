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
/// </summary>
public sealed class S3StorageOptions
{
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
}
