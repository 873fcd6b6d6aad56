using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ProofStorage.Core;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Options;

namespace ProofStorage.Migrate.Sources;

/// <summary>
/// Another store, configured like the service (its own <c>ProofStorage:Storage:Primary</c> and, when the keys
/// differ, its own <c>ProofStorage:Encryption</c>). Proofs are read through the normal verified path (so any key
/// in the source's ring opens them) and written by the target under its active key: provider → provider moves
/// and re-encryption are the same operation. Legacy-id aliases are carried over after the proofs.
/// </summary>
internal sealed class ProviderSource(IHost host, string description) : IMigrationSource
{
    // Proofs sort before aliases so an alias is verified against a proof that is already in the target.
    internal const string ProofNamePrefix = "1-proof/";
    internal const string AliasNamePrefix = "2-alias/";

    private readonly StorageManager _manager = host.Services.GetRequiredService<StorageManager>();
    private readonly ProofEnvelopeCodec _codec = host.Services.GetRequiredService<ProofEnvelopeCodec>();
    private readonly int _maxRecordBytes = host.Services.GetRequiredService<IOptions<ProofStorageOptions>>().Value.MaxRecordBytes;

    public string Description => description;

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var key in _manager.Storage.ListKeysAsync(DedupProtocol.ProofPrefix, cancellationToken).ConfigureAwait(false))
        {
            names.Add(ProofNamePrefix + key[DedupProtocol.ProofPrefix.Length..]);
        }

        await foreach (var key in _manager.Storage.ListKeysAsync(DedupProtocol.AliasPrefix, cancellationToken).ConfigureAwait(false))
        {
            names.Add(AliasNamePrefix + key[DedupProtocol.AliasPrefix.Length..]);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public async Task<SourceLoad> LoadAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            return name.StartsWith(AliasNamePrefix, StringComparison.Ordinal)
                ? await LoadAliasAsync(name, name[AliasNamePrefix.Length..], cancellationToken).ConfigureAwait(false)
                : await LoadProofAsync(name, name[ProofNamePrefix.Length..], cancellationToken).ConfigureAwait(false);
        }
        catch (ProofIntegrityException ex)
        {
            return SourceLoad.Rejected(name, $"the source object failed verification ({ex.Kind}): {ex.Message}", 0);
        }
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.StartsWith(AliasNamePrefix, StringComparison.Ordinal))
        {
            return await _manager.Storage.DeleteAsync(DedupProtocol.AliasKey(name[AliasNamePrefix.Length..]), cancellationToken).ConfigureAwait(false);
        }

        // Through the store, so a manifest store's index objects go with it.
        return await _manager.DeleteProofAsync(name[ProofNamePrefix.Length..], cancellationToken).ConfigureAwait(false) is not null;
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync().ConfigureAwait(false);
        host.Dispose();
    }

    private async Task<SourceLoad> LoadProofAsync(string name, string proofId, CancellationToken cancellationToken)
    {
        using var document = await _manager.GetAsync(proofId, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return SourceLoad.Rejected(name, "the proof disappeared from the source while the migration ran", 0);
        }

        if (document.Format == ProofRecordFormat.Binary)
        {
            // A manifest store: its bytes as stored, stored again as one (the target re-indexes its bindings and manifest id).
            // Copied out: the item outlives the document, whose native bytes go back when it is disposed here.
            var content = document.ReadContent();
            var recorded = ProofRecord.ReadMetadata(document.Record);
            return SourceLoad.Valid(new SourceItem(name, null, document.ImageHash, document.CreatedAt, content.Content.ToArray(),
                recorded.Count == 0 ? null : recorded, document.Record.Length, ProofMediaType: content.MediaType) { C2pa = document.C2pa });
        }

        using var record = JsonDocument.Parse(document.Json, new JsonDocumentOptions { MaxDepth = 4096 });
        Dictionary<string, string>? metadata = null;
        if (record.RootElement.TryGetProperty("metadata", out var metadataElement) && metadataElement.ValueKind == JsonValueKind.Object)
        {
            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in metadataElement.EnumerateObject())
            {
                metadata[property.Name] = property.Value.GetString() ?? string.Empty;
            }
        }

        var proof = JsonMarshal.GetRawUtf8Value(record.RootElement.GetProperty("proof")).ToArray();
        var mediaType = record.RootElement.TryGetProperty("proofMediaType", out var mediaTypeElement) ? mediaTypeElement.GetString() : null;
        return SourceLoad.Valid(new SourceItem(name, null, document.ImageHash, document.CreatedAt, proof, metadata, document.Json.Length,
            ProofMediaType: mediaType));
    }

    private async Task<SourceLoad> LoadAliasAsync(string name, string legacyId, CancellationToken cancellationToken)
    {
        var key = DedupProtocol.AliasKey(legacyId);
        var stored = await _manager.Storage.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return SourceLoad.Rejected(name, "the alias disappeared from the source while the migration ran", 0);
        }

        // Read the alias object itself: its proof may already have been moved (and deleted with --delete-after).
        var opened = _codec.Open(stored.Content.Span, key, _maxRecordBytes);
        using var alias = JsonDocument.Parse(opened.Record);
        string? proofId = null;
        foreach (var property in alias.RootElement.EnumerateObject())
        {
            if (string.Equals(property.Name, "ProofId", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
            {
                proofId = property.Value.GetString();
            }
        }

        if (proofId is null)
        {
            return SourceLoad.Rejected(name, "the alias record names no proof", stored.Content.Length);
        }

        return SourceLoad.Valid(new SourceItem(name, legacyId, default, null, ReadOnlyMemory<byte>.Empty, null, stored.Content.Length, proofId));
    }
}
