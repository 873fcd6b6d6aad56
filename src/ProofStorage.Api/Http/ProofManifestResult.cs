using ProofStorage.Core.C2pa;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// Serves the proof document on its own (see <see cref="ProofDocument.ReadContent"/>: a manifest store's bytes as stored,
/// or the <c>proof</c> value of a JSON record with its media type), so a C2PA reader given a remote-manifest URL can fetch
/// it directly. Its ETag is the record's with a <c>.m</c> suffix: strong, and distinct from the record representations.
/// With <paramref name="activeManifestOnly"/> (the Soft Binding Resolution API's <c>returnActiveManifest=true</c>) the
/// body is a manifest store holding only the active manifest (<see cref="ManifestStore.ToActiveManifestOnly"/>), built per
/// request, with its own ETag suffix <c>.ma</c>.
/// </summary>
internal sealed class ProofManifestResult(ProofDocument document, ProofResponseHeaders proofHeaders, bool activeManifestOnly = false)
    : ProofResponseResult(document, proofHeaders)
{
    protected override Representation Select(HttpRequest request) =>
        new(string.Concat(Document.ETag.AsSpan(0, Document.ETag.Length - 1), activeManifestOnly ? ".ma\"" : ".m\""));

    protected override (string ContentType, ReadOnlyMemory<byte> Body) Content(Representation representation)
    {
        var content = Document.ReadContent();
        return activeManifestOnly
            ? (content.MediaType, ManifestStore.Parse(content.Content).ToActiveManifestOnly())
            : (content.MediaType, content.Content);
    }
}
