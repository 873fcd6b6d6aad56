using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProofStorage.Core.Storage;

namespace ProofStorage.Providers.S3;

public static class S3ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <c>S3</c> and <c>R2</c> provider types and their options (validated at start-up in every slot of
    /// those types). An <see cref="HttpClientFactory"/> registered in the container (optional) is handed to the SDK
    /// instead of <see cref="S3HttpClientFactory"/>, which lets tests observe the requests on the wire.
    /// </summary>
    public static IServiceCollection AddS3StorageProvider(this IServiceCollection services)
    {
        services.AddStorageProviderOptions<S3StorageOptions, S3StorageOptionsValidator>();
        services.AddSingleton<IStorageProviderFactory>(sp => new S3StorageProviderFactory(S3StorageOptions.S3Type, sp));
        services.AddSingleton<IStorageProviderFactory>(sp => new S3StorageProviderFactory(S3StorageOptions.R2Type, sp));
        return services;
    }
}

internal sealed class S3StorageProviderFactory(string type, IServiceProvider services) : IStorageProviderFactory
{
    public string Type => type;

    public bool Provides<TCapability>()
        where TCapability : class => typeof(TCapability).IsAssignableFrom(typeof(S3StorageProvider));

    public IStorageProvider Create(string name, string slot)
    {
        var options = services.GetRequiredService<IOptionsMonitor<S3StorageOptions>>().Get(slot);
        var (config, settings) = Resolve(options);
        config.HttpClientFactory = services.GetService<HttpClientFactory>() ?? new S3HttpClientFactory();
        var client = string.IsNullOrEmpty(options.AccessKeyId)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey), config);
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<S3StorageProvider>() ?? NullLogger<S3StorageProvider>.Instance;
        Log.Configured(logger, name, type, settings.Bucket, config.ServiceURL ?? config.RegionEndpoint?.SystemName ?? "aws",
            string.IsNullOrEmpty(options.AccessKeyId) ? "default-chain" : "static");
        return new S3StorageProvider(name, client, settings, services.GetService<TimeProvider>() ?? TimeProvider.System, logger);
    }

    /// <summary>
    /// Turns validated options (see <see cref="S3StorageOptionsValidator"/>) into SDK settings; R2's needs become the
    /// defaults for <c>R2</c>.
    /// </summary>
    internal static (AmazonS3Config Config, S3ProviderSettings Settings) Resolve(S3StorageOptions options)
    {
        var r2 = options.IsR2();
        var serviceUrl = options.EffectiveServiceUrl();
        var endpoint = serviceUrl is null ? null : new Uri(serviceUrl, UriKind.Absolute);
        var config = new AmazonS3Config
        {
            Timeout = options.Timeout,
            ConnectTimeout = options.Timeout,
            MaxErrorRetry = options.MaxErrorRetry,
            RetryMode = Enum.Parse<RequestRetryMode>(options.RetryMode, ignoreCase: true),
            // Plain bodies, checksums only where an API requires them: what R2 and non-AWS servers accept.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        var region = string.IsNullOrWhiteSpace(options.Region) ? (r2 ? "auto" : "us-east-1") : options.Region;
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
            config.ForcePathStyle = options.ForcePathStyle ?? true;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            config.ForcePathStyle = options.ForcePathStyle ?? false;
        }

        // Unsigned payloads are what Cloudflare documents for R2, but the SDK refuses them over plain HTTP.
        var https = endpoint is null || endpoint.Scheme == Uri.UriSchemeHttps;
        var disablePayloadSigning = (options.DisablePayloadSigning ?? r2) && https;
        return (config, new S3ProviderSettings(options.Bucket, options.KeyPrefix, options.ServerSideEncryption, disablePayloadSigning, options.OperationTimeout, https,
            ConditionalDeletes: !r2));
    }
}

/// <summary>The rules of an <c>S3</c> or <c>R2</c> section beyond its keys, with messages naming the setting (never a secret).</summary>
internal sealed class S3StorageOptionsValidator(IConfiguration configuration)
    : StorageProviderOptionsValidator<S3StorageOptions>(configuration, S3StorageOptions.S3Type, S3StorageOptions.R2Type)
{
    protected override IEnumerable<string> ValidateSettings(string path, S3StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ServiceUrl) && options.IsR2() && string.IsNullOrWhiteSpace(options.AccountId))
        {
            yield return $"{path}: an R2 provider needs AccountId (or ServiceUrl).";
        }

        if (options.EffectiveServiceUrl() is { } serviceUrl
            && (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            yield return $"{path}:ServiceUrl '{serviceUrl}' is not an http(s) URL.";
        }

        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            yield return $"{path}:Bucket is required.";
        }

        if (string.IsNullOrEmpty(options.AccessKeyId) != string.IsNullOrEmpty(options.SecretAccessKey))
        {
            yield return $"{path}: set both AccessKeyId and SecretAccessKey, or neither (to use the default AWS credential chain).";
        }

        if (options.Timeout <= TimeSpan.Zero || options.OperationTimeout <= TimeSpan.Zero)
        {
            yield return $"{path}: Timeout and OperationTimeout must be positive.";
        }

        if (options.MaxErrorRetry is < 0 or > 10)
        {
            yield return $"{path}:MaxErrorRetry must be 0-10.";
        }

        if (!Enum.TryParse<RequestRetryMode>(options.RetryMode, ignoreCase: true, out var retryMode) || !Enum.IsDefined(retryMode))
        {
            yield return $"{path}:RetryMode must be Standard or Adaptive.";
        }

        if (options.KeyPrefix.Length > 0 && (options.KeyPrefix.StartsWith('/') || !options.KeyPrefix.EndsWith('/')))
        {
            yield return $"{path}:KeyPrefix must end with '/' and not start with one (for example 'prod/').";
        }
    }
}
