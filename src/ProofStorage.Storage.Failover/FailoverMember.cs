using Polly;
using Polly.CircuitBreaker;
using ProofStorage.Core;
using ProofStorage.Core.Storage;

namespace ProofStorage.Storage.Failover;

/// <summary>One provider of a failover pair with its circuit breaker.</summary>
internal sealed class FailoverMember
{
    public FailoverMember(IStorageProvider provider, FailoverOptions options, TimeProvider time)
    {
        Provider = provider;
        Breaker = new CircuitBreakerStateProvider();
        Pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                // Only "cannot reach it" counts: a corrupt object or a miss says nothing about the provider's health.
                ShouldHandle = new PredicateBuilder().Handle<StorageUnavailableException>(),
                StateProvider = Breaker,
            })
            .Build();
    }

    public IStorageProvider Provider { get; }

    public string Name => Provider.Name;

    public CircuitBreakerStateProvider Breaker { get; }

    public ResiliencePipeline Pipeline { get; }

    /// <summary>Runs a call through the breaker; an open circuit is reported as the provider being unavailable.</summary>
    public async Task<T> RunAsync<T>(Func<IStorageProvider, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await Pipeline.ExecuteAsync(
                static async (state, token) => await state.call(state.provider, token).ConfigureAwait(false),
                (call, provider: Provider), cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            throw new StorageUnavailableException(Name, $"The circuit of {Name} is open: not calling it for now.", ex);
        }
    }
}
