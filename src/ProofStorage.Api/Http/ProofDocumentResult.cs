using System.Globalization;
using Microsoft.Extensions.Primitives;
using ProofStorage.Core.Model;

namespace ProofStorage.Api.Http;

/// <summary>
/// Serves a cached proof document as it is: the stored gzip bytes to clients that accept gzip, the record
/// JSON otherwise (a manifest store stored raw: its record rendered as JSON, see <see cref="ProofDocument.Json"/>). Strong ETags per representation, <c>If-None-Match</c> → <c>304</c>, <c>HEAD</c> without body,
/// and the caching and <c>Link</c> headers of <see cref="ProofResponseHeaders"/>.
/// </summary>
internal sealed class ProofDocumentResult(ProofDocument document, ProofResponseHeaders proofHeaders) : ProofResponseResult(document, proofHeaders)
{
    private const string JsonContentType = "application/json; charset=utf-8";

    // A binary record keeps no gzip of its JSON form (Gzip is empty): it is always answered uncompressed.
    protected override Representation Select(HttpRequest request) =>
        !Document.Gzip.IsEmpty && AcceptsGzip(request.Headers.AcceptEncoding)
            ? new Representation(Document.GzipETag, ContentEncoding: "gzip", Vary: "Accept-Encoding")
            : new Representation(Document.ETag, Vary: "Accept-Encoding");

    // Either representation's tag counts: both name the same immutable record.
    protected override bool IsNotModified(StringValues ifNoneMatch, Representation representation) =>
        ProofResponseHeaders.Matches(ifNoneMatch, Document.ETag, Document.GzipETag);

    protected override (string ContentType, ReadOnlyMemory<byte> Body) Content(Representation representation) =>
        (JsonContentType, representation.ContentEncoding is null ? Document.Json : Document.Gzip);

    private static bool AcceptsGzip(StringValues acceptEncoding)
    {
        foreach (var value in acceptEncoding)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
            {
                var semicolon = part.IndexOf(';', StringComparison.Ordinal);
                var coding = semicolon < 0 ? part : part[..semicolon].TrimEnd();
                if (!coding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                // "gzip;q=0" means "not gzip".
                var quality = 1.0;
                if (semicolon >= 0)
                {
                    var parameter = part[(semicolon + 1)..].Trim();
                    if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                        && double.TryParse(parameter.AsSpan(2), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed))
                    {
                        quality = parsed;
                    }
                }

                return quality > 0;
            }
        }

        return false;
    }
}
