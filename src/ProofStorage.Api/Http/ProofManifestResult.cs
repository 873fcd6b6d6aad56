using ProofStorage.Core.Codec;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// Serves the proof document on its own (the <c>proof</c> value's bytes with its media type, see
/// <see cref="ProofMediaTypes"/>), so a C2PA reader given a remote-manifest URL can fetch it directly. Its ETag is
/// the record's with a <c>.m</c> suffix: strong, and distinct from the record representations.
/// </summary>
internal sealed class ProofManifestResult(ProofDocument document, ProofResponseHeaders proofHeaders) : ProofResponseResult(document, proofHeaders)
{
    protected override Representation Select(HttpRequest request) =>
        new(string.Concat(Document.ETag.AsSpan(0, Document.ETag.Length - 1), ".m\""));

    protected override (string ContentType, ReadOnlyMemory<byte> Body) Content(Representation representation)
    {
        var content = ProofRecord.ReadProofDocument(Document.Json);
        return (content.MediaType, content.Content);
    }
}
