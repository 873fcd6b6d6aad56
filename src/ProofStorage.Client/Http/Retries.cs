using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;

namespace ProofStorage.Client.Http;

/// <summary>
/// Which attempts the resilience handler may repeat. Only a call that is safe to send twice: GET, HEAD and DELETE by
/// HTTP's definition, and the POSTs this client marks (<see cref="MarkIdempotent"/>): a store and a batch (the service
/// deduplicates by image, so a repeat answers the proof the first attempt stored) and a lookup (a read). And only a
/// transient failure: no answer, a timeout, 408, 429, 500, 503, 504. A 502 from this service means a stored proof failed
/// verification on every copy, which a retry does not change.
/// </summary>
internal static class Retries
{
    private static readonly HttpRequestOptionsKey<bool> Idempotent = new("ProofStorage.Idempotent");

    public static void MarkIdempotent(HttpRequestMessage request) => request.Options.Set(Idempotent, true);

    public static bool IsIdempotent(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Delete
        || (request.Options.TryGetValue(Idempotent, out var marked) && marked);

    public static ValueTask<bool> ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args)
    {
        var request = args.Outcome.Result?.RequestMessage ?? args.Context.GetRequestMessage();
        if (request is null || !IsIdempotent(request))
        {
            return ValueTask.FromResult(false);
        }

        var transient = HttpClientResiliencePredicates.IsTransient(args.Outcome)
            && args.Outcome.Result?.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.NotImplemented or HttpStatusCode.HttpVersionNotSupported);
        return ValueTask.FromResult(transient);
    }
}
