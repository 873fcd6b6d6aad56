using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using ProofStorage.Client;
using ProofStorage.Client.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="IProofStorageClient"/>.</summary>
public static class ProofStorageClientServiceCollectionExtensions
{
    /// <summary>The name of the HttpClient (and of its resilience pipeline, <c>"{name}-standard"</c>).</summary>
    public const string HttpClientName = "ProofStorage";

    /// <summary>
    /// Registers <see cref="IProofStorageClient"/> configured from the <see cref="ProofStorageClientOptions.SectionName"/>
    /// configuration section (validated at start-up).
    /// </summary>
    public static IHttpClientBuilder AddProofStorageClient(this IServiceCollection services, string configSectionPath = ProofStorageClientOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ProofStorageClientOptions>().BindConfiguration(configSectionPath);
        return AddCore(services);
    }

    /// <summary>Registers <see cref="IProofStorageClient"/> configured in code (validated at start-up).</summary>
    public static IHttpClientBuilder AddProofStorageClient(this IServiceCollection services, Action<ProofStorageClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ProofStorageClientOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// The typed client over IHttpClientFactory with the standard resilience handler: a total timeout around retries
    /// (only of calls safe to repeat, honouring <c>Retry-After</c> on 429 and 503), a circuit breaker and a timeout per
    /// attempt. The returned builder can add handlers or configure more.
    /// </summary>
    private static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        services.AddOptions<ProofStorageClientOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProofStorageClientOptions>, ProofStorageClientOptionsValidator>());

        var builder = services.AddHttpClient<IProofStorageClient, ProofStorageClient>(HttpClientName, (provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<ProofStorageClientOptions>>().Value;
            // Relative request paths ("v1/proofs") resolve under the base address, also when it has a path of its own.
            http.BaseAddress = new Uri(options.BaseAddress!.AbsoluteUri.TrimEnd('/') + "/");
            // The resilience pipeline times calls out; HttpClient's own 100 s default would cut a slow retry sequence short.
            http.Timeout = Timeout.InfiniteTimeSpan;
            if (options.ApiKey is { } key)
            {
                http.DefaultRequestHeaders.Add("X-Api-Key", key);
            }
        });

        builder.AddStandardResilienceHandler().Configure((HttpStandardResilienceOptions resilience, IServiceProvider provider) =>
        {
            var options = provider.GetRequiredService<IOptions<ProofStorageClientOptions>>().Value;
            resilience.TotalRequestTimeout.Timeout = options.TotalTimeout;
            resilience.AttemptTimeout.Timeout = options.AttemptTimeout;
            resilience.Retry.MaxRetryAttempts = options.MaxRetryAttempts;
            resilience.Retry.Delay = options.RetryBaseDelay;
            resilience.Retry.ShouldRetryAfterHeader = true;
            resilience.Retry.ShouldHandle = Retries.ShouldRetry;
            // The breaker's window must span at least two attempts (the library validates it).
            resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(resilience.CircuitBreaker.SamplingDuration.Ticks, 2 * options.AttemptTimeout.Ticks));
        });
        return builder;
    }
}
