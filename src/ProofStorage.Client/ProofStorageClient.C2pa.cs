using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ProofStorage.Client.Http;

namespace ProofStorage.Client;

/// <summary>C2PA: manifest stores stored raw, and the C2PA Soft Binding Resolution API under <c>/c2pa/v1</c>.</summary>
internal sealed partial class ProofStorageClient
{
    private const string C2paMediaType = "application/c2pa";

    /// <summary>The longest value sent in a GET query; a longer one goes in the body of the POST form (the service's 414 limit is 2048).</summary>
    private const int MaxGetValueLength = 2048;

    public async Task<StoreProofResult> StoreManifestStoreAsync(StoreManifestStoreRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        HttpContent content = request.Stream is { } stream ? new StreamContent(stream) : new ReadOnlyMemoryContent(request.Bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(C2paMediaType);
        using var message = new HttpRequestMessage(HttpMethod.Post, "v1/proofs" + StoreQuery(request)) { Content = content };
        if (request.Stream is null)
        {
            // Stored by the image hash or the manifest id, create-if-absent: a repeat answers what the first attempt stored.
            Retries.MarkIdempotent(message);
        }

        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var result = await ReadAsync(response, ClientJsonContext.Default.StoreProofResult, cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Created ? result with { Location = response.Headers.Location } : result;
    }

    public async Task<ProofReadResult<ProofManifest>> GetManifestAsync(string manifestId, bool returnActiveManifest = false, string? ifNoneMatch = null,
        CancellationToken cancellationToken = default)
    {
        var path = ManifestPath(manifestId) + (returnActiveManifest ? "?returnActiveManifest=true" : "");
        return await GetStreamedAsync(path, ifNoneMatch, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SoftBindingMatch>> FindManifestsByBindingAsync(SoftBindingValue binding, int? maxResults = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var limit = maxResults is { } max ? "maxResults=" + max.ToString(CultureInfo.InvariantCulture) : null;
        using var message = binding.Value.Length <= MaxGetValueLength
            ? new HttpRequestMessage(HttpMethod.Get, "c2pa/v1/matches/byBinding?alg=" + Uri.EscapeDataString(binding.Alg) + "&value="
                + Uri.EscapeDataString(binding.Value) + (limit is null ? "" : "&" + limit))
            : new HttpRequestMessage(HttpMethod.Post, "c2pa/v1/matches/byBinding" + (limit is null ? "" : "?" + limit))
            {
                Content = JsonContent.Create(new SoftBindingQueryRequestBody { Alg = binding.Alg, Value = binding.Value }, ClientJsonContext.Default.SoftBindingQueryRequestBody),
            };
        Retries.MarkIdempotent(message);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return (await ReadAsync(response, ClientJsonContext.Default.SoftBindingQueryBody, cancellationToken).ConfigureAwait(false)).Matches;
    }

    public Task<SupportedAlgorithms> GetSupportedAlgorithmsAsync(CancellationToken cancellationToken = default) =>
        GetJsonAsync("c2pa/v1/services/supportedAlgorithms", ClientJsonContext.Default.SupportedAlgorithms, cancellationToken);

    public async Task<string> AddManifestAsync(ReadOnlyMemory<byte> manifestStore, CancellationToken cancellationToken = default)
    {
        var content = new ReadOnlyMemoryContent(manifestStore);
        content.Headers.ContentType = new MediaTypeHeaderValue(C2paMediaType);
        using var message = new HttpRequestMessage(HttpMethod.Post, "c2pa/v1/manifests") { Content = content };
        Retries.MarkIdempotent(message);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return (await ReadAsync(response, ClientJsonContext.Default.ManifestCreateBody, cancellationToken).ConfigureAwait(false)).ManifestId;
    }

    public async Task<bool> AddBindingAsync(string manifestId, string bindingValue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestId);
        ArgumentException.ThrowIfNullOrEmpty(bindingValue);
        using var message = new HttpRequestMessage(HttpMethod.Post, "c2pa/v1/bindings")
        {
            Content = JsonContent.Create(new BindingRequestBody { BindingValue = bindingValue, ManifestId = manifestId }, ClientJsonContext.Default.BindingRequestBody),
        };
        Retries.MarkIdempotent(message);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> DeleteManifestAsync(string manifestId, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Delete, ManifestPath(manifestId));
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>A manifest id is a URN: its ':' stay as they are (the form remote manifest URLs take), the rest is escaped.</summary>
    private static string ManifestPath(string manifestId) =>
        "c2pa/v1/manifests/" + Segment(manifestId).Replace("%3A", ":", StringComparison.Ordinal);

    private static string StoreQuery(StoreManifestStoreRequest request)
    {
        var query = new StringBuilder();
        void Add(string name, string value) => query.Append(query.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        if (request.ImageHash is { } hash)
        {
            Add("imageHash", hash);
        }

        foreach (var (key, value) in request.Metadata ?? new Dictionary<string, string>())
        {
            Add("metadata." + key, value);
        }

        foreach (var binding in request.SoftBindings ?? [])
        {
            Add("softBinding", binding.Alg + ":" + binding.Value);
        }

        return query.ToString();
    }
}
