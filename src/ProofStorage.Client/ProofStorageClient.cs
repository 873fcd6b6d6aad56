using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ProofStorage.Client.Http;

namespace ProofStorage.Client;

/// <summary>The typed client over the HttpClient <c>AddProofStorageClient</c> configures (base address, key, resilience).</summary>
internal sealed partial class ProofStorageClient(HttpClient http) : IProofStorageClient
{
    public async Task<StoreProofResult> StoreProofAsync(StoreProofRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, "v1/proofs") { Content = StoreRequestContent.Single(request) };
        Retries.MarkIdempotent(message);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var result = await ReadAsync(response, ClientJsonContext.Default.StoreProofResult, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Created ? result with { Location = response.Headers.Location } : result;
    }

    public async Task<IReadOnlyList<BatchItemResult>> StoreProofBatchAsync(IReadOnlyList<StoreProofRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        using var message = new HttpRequestMessage(HttpMethod.Post, "v1/proofs/batch") { Content = StoreRequestContent.Batch(requests) };
        Retries.MarkIdempotent(message);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return (await ReadAsync(response, ClientJsonContext.Default.BatchStoreResponse, cancellationToken).ConfigureAwait(false)).Results;
    }

    public Task<ProofReadResult<ProofRecord>> GetProofAsync(string proofId, string? ifNoneMatch = null, CancellationToken cancellationToken = default) =>
        GetRecordAsync("v1/proofs/" + Segment(proofId), ifNoneMatch, cancellationToken);

    public Task<ProofReadResult<ProofRecord>> GetProofByImageAsync(string imageHash, string? ifNoneMatch = null, CancellationToken cancellationToken = default) =>
        GetRecordAsync("v1/proofs/by-image/" + Segment(imageHash), ifNoneMatch, cancellationToken);

    public Task<ProofReadResult<ProofHead>> HeadProofAsync(string proofId, string? ifNoneMatch = null, CancellationToken cancellationToken = default) =>
        HeadAsync("v1/proofs/" + Segment(proofId), ifNoneMatch, cancellationToken);

    public Task<ProofReadResult<ProofHead>> HeadProofByImageAsync(string imageHash, string? ifNoneMatch = null, CancellationToken cancellationToken = default) =>
        HeadAsync("v1/proofs/by-image/" + Segment(imageHash), ifNoneMatch, cancellationToken);

    public Task<ProofReadResult<ProofHead>> HeadProofManifestAsync(string proofId, string? ifNoneMatch = null, CancellationToken cancellationToken = default) =>
        HeadAsync("v1/proofs/" + Segment(proofId) + "/manifest", ifNoneMatch, cancellationToken);

    public Task<ProofReadResult<ProofManifest>> GetProofManifestAsync(string proofId, string? ifNoneMatch = null, CancellationToken cancellationToken = default) =>
        GetStreamedAsync("v1/proofs/" + Segment(proofId) + "/manifest", ifNoneMatch, cancellationToken);

    public async Task<ProofUrl?> GetProofUrlAsync(string proofId, TimeSpan? expiresIn = null, CancellationToken cancellationToken = default)
    {
        var path = "v1/proofs/" + Segment(proofId) + "/url";
        if (expiresIn is { } lifetime)
        {
            path += "?expiresIn=" + ((long)Math.Ceiling(lifetime.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        using var message = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, ClientJsonContext.Default.ProofUrl, cancellationToken).ConfigureAwait(false);
    }

    public async Task<LookupResult> LookupProofsAsync(IReadOnlyCollection<string> proofIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proofIds);
        using var message = new HttpRequestMessage(HttpMethod.Post, "v1/proofs/lookup")
        {
            Content = JsonContent.Create(new LookupRequestBody { ProofIds = [.. proofIds] }, ClientJsonContext.Default.LookupRequestBody),
        };
        Retries.MarkIdempotent(message);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return RecordReader.ReadLookup(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
    }

    public async Task<bool> DeleteProofAsync(string proofId, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Delete, "v1/proofs/" + Segment(proofId));
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<StorageStatistics> GetStatsAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync("v1/stats", ClientJsonContext.Default.StorageStatistics, cancellationToken);

    public Task<HealthReport> GetLivenessAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync("health/live", ClientJsonContext.Default.HealthReport, cancellationToken);

    public async Task<HealthReport> GetReadinessAsync(CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, "health/ready");
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        // Not ready is an answer too: the report says which dependency failed.
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable && IsJson(response) && !IsProblem(response))
        {
            return await ReadAsync(response, ClientJsonContext.Default.HealthReport, cancellationToken).ConfigureAwait(false);
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, ClientJsonContext.Default.HealthReport, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> GetJsonAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, type, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProofReadResult<ProofRecord>> GetRecordAsync(string path, string? ifNoneMatch, CancellationToken cancellationToken)
    {
        using var message = Conditional(HttpMethod.Get, path, ifNoneMatch);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return await NotOkAsync<ProofRecord>(response, cancellationToken).ConfigureAwait(false);
        }

        // The bytes stay the record's backing store: the proof is a slice of them, never copied or re-serialised.
        var record = RecordReader.ReadRecord(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        return Result(ProofReadStatus.Ok, record, response);
    }

    /// <summary>A document streamed to the caller (a proof document, a manifest store): the response is not buffered here.</summary>
    private async Task<ProofReadResult<ProofManifest>> GetStreamedAsync(string path, string? ifNoneMatch, CancellationToken cancellationToken)
    {
        using var message = Conditional(HttpMethod.Get, path, ifNoneMatch);
        // Headers only: the body is handed to the caller as a stream, never buffered here.
        var response = await SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return await NotOkAsync<ProofManifest>(response, cancellationToken).ConfigureAwait(false);
            }

            var content = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var result = Result(ProofReadStatus.Ok, new ProofManifest(response, content), response);
            response = null; // the manifest owns it now
            return result;
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async Task<ProofReadResult<ProofHead>> HeadAsync(string path, string? ifNoneMatch, CancellationToken cancellationToken)
    {
        using var message = Conditional(HttpMethod.Head, path, ifNoneMatch);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return await NotOkAsync<ProofHead>(response, cancellationToken).ConfigureAwait(false);
        }

        var head = new ProofHead
        {
            ContentType = response.Content.Headers.ContentType?.ToString(),
            ContentLength = response.Content.Headers.ContentLength,
        };
        return Result(ProofReadStatus.Ok, head, response);
    }

    /// <summary>304 and 404 are results of a read; anything else not 200 is an error.</summary>
    private static async Task<ProofReadResult<T>> NotOkAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
        where T : class
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotModified:
                return Result<T>(ProofReadStatus.NotModified, null, response);
            case HttpStatusCode.NotFound:
                return new ProofReadResult<T>(ProofReadStatus.NotFound, null, null, null, null);
            default:
                await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
                throw new ProofStorageException($"Unexpected answer {(int)response.StatusCode} to a proof read.");
        }
    }

    private static ProofReadResult<T> Result<T>(ProofReadStatus status, T? value, HttpResponseMessage response)
        where T : class =>
        new(status, value, response.Headers.ETag?.ToString(), response.Headers.CacheControl?.ToString(),
            response.Headers.TryGetValues("Link", out var link) ? string.Join(", ", link) : null);

    private static HttpRequestMessage Conditional(HttpMethod method, string path, string? ifNoneMatch)
    {
        var message = new HttpRequestMessage(method, path);
        if (ifNoneMatch is not null)
        {
            message.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return message;
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, HttpCompletionOption completion, CancellationToken cancellationToken) =>
        http.SendAsync(message, completion, cancellationToken);

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
        ?? throw new JsonException($"The service answered {(int)response.StatusCode} with an empty {typeof(T).Name}.");

    /// <summary>Throws <see cref="ProofStorageException"/> with the problem the service sent, unless the answer is a success.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        ProblemBody? body = null;
        if (IsJson(response))
        {
            try
            {
                body = await response.Content.ReadFromJsonAsync(ClientJsonContext.Default.ProblemBody, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                // Not a problem body (an intermediary's page, say): the status is all there is.
            }
        }

        var status = (int)response.StatusCode;
        var problem = new ProofStorageProblem
        {
            Type = body?.Type ?? "about:blank",
            Title = body?.Title ?? response.ReasonPhrase ?? $"HTTP {status}",
            Status = body?.Status ?? status,
            Detail = body?.Detail,
            Instance = body?.Instance,
            TraceId = body?.TraceId,
            Errors = body?.Errors,
        };
        throw new ProofStorageException(response.StatusCode, problem, RetryAfter(response));
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static bool IsJson(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static bool IsProblem(HttpResponseMessage response) =>
        string.Equals(response.Content.Headers.ContentType?.MediaType, "application/problem+json", StringComparison.OrdinalIgnoreCase);

    /// <summary>A path segment, escaped (ids and hashes are URL-safe, but a caller's typo must not change the route).</summary>
    private static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Uri.EscapeDataString(value);
    }
}
