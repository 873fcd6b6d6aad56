using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ProofStorage.Client.Http;

/// <summary>
/// The body of a store (<c>{imageHash, proof, proofMediaType?, metadata?}</c>) or a batch (<c>{"items":[…]}</c>),
/// written straight to the request stream: each item's small members are encoded once up front, and each proof's bytes
/// go from the caller's buffer to the stream without being copied into a request buffer. The length is known, so no
/// chunked encoding; it can be written again, so the resilience handler can retry it.
/// </summary>
internal sealed class StoreRequestContent : HttpContent
{
    private static readonly byte[] BatchPrefix = "{\"items\":["u8.ToArray();
    private static readonly byte[] BatchSuffix = "]}"u8.ToArray();
    private static readonly byte[] Comma = ","u8.ToArray();

    private readonly IReadOnlyList<(byte[] Prefix, ProofContent Proof, byte[] Suffix)> _items;
    private readonly bool _batch;

    private StoreRequestContent(IReadOnlyList<StoreProofRequest> requests, bool batch)
    {
        _items = [.. requests.Select(Encode)];
        _batch = batch;
        Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
    }

    public static StoreRequestContent Single(StoreProofRequest request) => new([request], batch: false);

    public static StoreRequestContent Batch(IReadOnlyList<StoreProofRequest> requests) => new(requests, batch: true);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_batch)
        {
            await stream.WriteAsync(BatchPrefix, cancellationToken).ConfigureAwait(false);
        }

        for (var i = 0; i < _items.Count; i++)
        {
            var (prefix, proof, suffix) = _items[i];
            if (i > 0)
            {
                await stream.WriteAsync(Comma, cancellationToken).ConfigureAwait(false);
            }

            await stream.WriteAsync(prefix, cancellationToken).ConfigureAwait(false);
            await proof.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(suffix, cancellationToken).ConfigureAwait(false);
        }

        if (_batch)
        {
            await stream.WriteAsync(BatchSuffix, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _batch ? BatchPrefix.Length + BatchSuffix.Length + Math.Max(0, _items.Count - 1) : 0;
        foreach (var (prefix, proof, suffix) in _items)
        {
            length += prefix.Length + proof.EncodedLength + suffix.Length;
        }

        return true;
    }

    /// <summary><c>{"imageHash":"…","proof":</c> and <c>,"proofMediaType":"…","metadata":{…}}</c> around the proof.</summary>
    private static (byte[] Prefix, ProofContent Proof, byte[] Suffix) Encode(StoreProofRequest request)
    {
        using var prefix = new MemoryStream();
        using (var writer = new Utf8JsonWriter(prefix))
        {
            writer.WriteStartObject();
            writer.WriteString("imageHash"u8, request.ImageHash);
            writer.WritePropertyName("proof"u8);
            // Closes the object so the writer is satisfied; the placeholder and brace are cut off below.
            writer.WriteNullValue();
            writer.WriteEndObject();
        }

        using var suffix = new MemoryStream();
        using (var writer = new Utf8JsonWriter(suffix))
        {
            writer.WriteStartObject();
            if (request.Proof.MediaType is { } mediaType)
            {
                writer.WriteString("proofMediaType"u8, mediaType);
            }

            if (request.Metadata is { } metadata)
            {
                writer.WriteStartObject("metadata"u8);
                foreach (var (key, value) in metadata)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        // prefix: {"imageHash":"…","proof":null}  → drop "null}"; suffix: {…} or {} → "," + members + "}" (or just "}").
        var head = prefix.ToArray()[..^"null}".Length];
        var tail = suffix.ToArray();
        var members = tail[1..^1];
        var end = members.Length == 0 ? "}"u8.ToArray() : [(byte)',', .. members, (byte)'}'];
        return (head, request.Proof, end);
    }
}
