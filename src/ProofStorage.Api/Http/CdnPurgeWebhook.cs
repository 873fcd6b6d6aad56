using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using ProofStorage.Api.Endpoints;
using ProofStorage.Core;

namespace ProofStorage.Api.Http;

/// <summary>What the purge webhook receives after a delete: the paths (and, with a public base URL, the URLs) a CDN may hold.</summary>
public sealed class ProofPurgeNotice
{
    /// <example>proof.deleted</example>
    public string Event { get; init; } = "proof.deleted";

    public required string ProofId { get; init; }

    /// <summary>Absent when the proof could not be read before the delete, or has none (a manifest store stored without one).</summary>
    public string? ImageHash { get; init; }

    /// <example>["/v1/proofs/q5mT0W1dN3f8S0aB7kLx2Q","/v1/proofs/q5mT0W1dN3f8S0aB7kLx2Q/manifest"]</example>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>The paths under <c>ProofStorage:Cdn:PublicBaseUrl</c>; empty when it is not set.</summary>
    public required IReadOnlyList<string> Urls { get; init; }
}

/// <summary>
/// Tells an operator's endpoint (<c>ProofStorage:Cdn:PurgeWebhookUrl</c>) which CDN paths to purge after a delete.
/// Queued and sent in the background: a slow, failing or absent webhook never delays or fails a delete; a failure
/// is logged (the operator then purges by hand, see docs/operations.md). At most <see cref="Capacity"/> notices
/// wait; beyond that the oldest is dropped, and logged.
/// </summary>
internal sealed partial class CdnPurgeWebhook(IHttpClientFactory clients, IOptions<CdnOptions> options, ILogger<CdnPurgeWebhook> logger)
    : BackgroundService
{
    internal const int Capacity = 1000;
    internal const string HttpClientName = "cdn-purge";

    private readonly Channel<ProofPurgeNotice> _queue = Channel.CreateBounded<ProofPurgeNotice>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
        dropped => DroppedNotice(logger, dropped.ProofId));

    private readonly CdnOptions _options = options.Value;

    public bool Enabled => !string.IsNullOrWhiteSpace(_options.PurgeWebhookUrl);

    /// <summary>Queues a notice for a deleted proof; never blocks, never throws.</summary>
    public void Enqueue(DeletedProof deleted)
    {
        ArgumentNullException.ThrowIfNull(deleted);
        if (!Enabled)
        {
            return;
        }

        var proofId = deleted.ProofId;
        var imageHash = deleted.ImageHash?.Value;
        List<string> paths = [$"/v1/proofs/{proofId}", $"/v1/proofs/{proofId}/manifest"];
        if (imageHash is not null)
        {
            paths.Add($"/v1/proofs/by-image/{imageHash}");
        }

        if (deleted.C2pa is { } c2pa)
        {
            // Both representations of the C2PA fetch route (the query string is part of a CDN's cache key).
            var manifestPath = C2paEndpoints.ManifestPath(c2pa.ManifestId);
            paths.Add(manifestPath);
            paths.Add(manifestPath + "?returnActiveManifest=true");
        }

        var baseUrl = _options.BaseUrl;
        _queue.Writer.TryWrite(new ProofPurgeNotice
        {
            ProofId = proofId,
            ImageHash = imageHash,
            Paths = paths,
            Urls = baseUrl is null ? [] : paths.Select(p => baseUrl + p).ToList(),
        });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        var client = clients.CreateClient(HttpClientName);
        await foreach (var notice in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(_options.PurgeWebhookTimeout);
            try
            {
                using var response = await client.PostAsJsonAsync(_options.PurgeWebhookUrl, notice, timeout.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    PurgeFailed(logger, notice.ProofId, $"HTTP {(int)response.StatusCode}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
            {
                PurgeFailed(logger, notice.ProofId, ex is OperationCanceledException ? $"no answer within {_options.PurgeWebhookTimeout}" : ex.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning,
        Message = "CDN purge webhook failed for proof {ProofId} ({Reason}); purge its paths by hand (docs/operations.md)")]
    private static partial void PurgeFailed(ILogger logger, string proofId, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "CDN purge queue full: the notice for proof {ProofId} was dropped; purge its paths by hand (docs/operations.md)")]
    private static partial void DroppedNotice(ILogger logger, string proofId);
}
