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
    /// Registers the <c>S3</c> and <c>R2</c> provider types. An <see cref="HttpClientFactory"/> registered in the
    /// container (optional) is handed to the SDK instead of <see cref="S3HttpClientFactory"/>, which lets tests observe
    /// the requests on the wire.
    /// </summary>
    public static IServiceCollection AddS3StorageProvider(this IServiceCollection services)
    {
        services.AddSingleton<IStorageProviderFactory>(sp => new S3StorageProviderFactory(S3StorageProviderFactory.S3, sp));
        services.AddSingleton<IStorageProviderFactory>(sp => new S3StorageProviderFactory(S3StorageProviderFactory.R2, sp));
        return services;
    }
}

internal sealed class S3StorageProviderFactory(string type, IServiceProvider services) : IStorageProviderFactory
{
    public const string S3 = "S3";
    public const string R2 = "R2";

    public string Type => type;

    public IStorageProvider Create(string name, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        RejectUnknownKeys(section);
        var options = new S3StorageOptions();
        section.Bind(options);
        var (config, settings) = Resolve(type, options, section.Path);
        config.HttpClientFactory = services.GetService<HttpClientFactory>() ?? new S3HttpClientFactory();
        var client = string.IsNullOrEmpty(options.AccessKeyId)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey), config);
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<S3StorageProvider>() ?? NullLogger<S3StorageProvider>.Instance;
        Log.Configured(logger, name, type, settings.Bucket, config.ServiceURL ?? config.RegionEndpoint?.SystemName ?? "aws",
            string.IsNullOrEmpty(options.AccessKeyId) ? "default-chain" : "static");
        return new S3StorageProvider(name, client, settings, logger);
    }

    /// <summary>
    /// A misspelt key (say <c>AccessKey</c> for <c>AccessKeyId</c>) would otherwise be ignored silently and the
    /// provider would fall back to the default credential chain: stop at start-up instead.
    /// </summary>
    internal static void RejectUnknownKeys(IConfigurationSection section)
    {
        var known = typeof(S3StorageOptions).GetProperties().Select(p => p.Name).Append("Type").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = section.GetChildren().Select(c => c.Key).Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new OptionsValidationException(section.Path, typeof(S3StorageOptions),
                [$"{section.Path}: unknown setting(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known.Order(StringComparer.Ordinal))}."]);
        }
    }

    /// <summary>Validates the options and turns them into SDK settings; R2's needs become the defaults for <c>R2</c>.</summary>
    internal static (AmazonS3Config Config, S3ProviderSettings Settings) Resolve(string type, S3StorageOptions options, string path)
    {
        var r2 = string.Equals(type, R2, StringComparison.OrdinalIgnoreCase);
        var errors = new List<string>();
        var serviceUrl = options.ServiceUrl;
        if (string.IsNullOrWhiteSpace(serviceUrl) && r2)
        {
            if (string.IsNullOrWhiteSpace(options.AccountId))
            {
                errors.Add($"{path}: an R2 provider needs AccountId (or ServiceUrl).");
            }
            else
            {
                serviceUrl = $"https://{options.AccountId.Trim()}.r2.cloudflarestorage.com";
            }
        }

        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(serviceUrl) && (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            errors.Add($"{path}:ServiceUrl '{serviceUrl}' is not an http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            errors.Add($"{path}:Bucket is required.");
        }

        if (string.IsNullOrEmpty(options.AccessKeyId) != string.IsNullOrEmpty(options.SecretAccessKey))
        {
            errors.Add($"{path}: set both AccessKeyId and SecretAccessKey, or neither (to use the default AWS credential chain).");
        }

        if (options.Timeout <= TimeSpan.Zero || options.OperationTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{path}: Timeout and OperationTimeout must be positive.");
        }

        if (options.MaxErrorRetry is < 0 or > 10)
        {
            errors.Add($"{path}:MaxErrorRetry must be 0-10.");
        }

        if (!Enum.TryParse<RequestRetryMode>(options.RetryMode, ignoreCase: true, out var retryMode) || !Enum.IsDefined(retryMode))
        {
            errors.Add($"{path}:RetryMode must be Standard or Adaptive.");
        }

        if (options.KeyPrefix.Length > 0 && (options.KeyPrefix.StartsWith('/') || !options.KeyPrefix.EndsWith('/')))
        {
            errors.Add($"{path}:KeyPrefix must end with '/' and not start with one (for example 'prod/').");
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(path, typeof(S3StorageOptions), errors);
        }

        var config = new AmazonS3Config
        {
            Timeout = options.Timeout,
            ConnectTimeout = options.Timeout,
            MaxErrorRetry = options.MaxErrorRetry,
            RetryMode = retryMode,
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
        return (config, new S3ProviderSettings(options.Bucket, options.KeyPrefix, options.ServerSideEncryption, disablePayloadSigning, options.OperationTimeout, https));
    }
}
