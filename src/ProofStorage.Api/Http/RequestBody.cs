using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ProofStorage.Api.Security;
using ProofStorage.Core.Buffers;

namespace ProofStorage.Api.Http;

/// <summary>
/// A request body being read into native memory, with the bytes it holds reserved against the in-flight body budget:
/// <paramref name="reserveFactor"/> bytes per byte of body, so a store reserves what it will build from the body too.
/// Disposing frees the memory and gives the reservation back (on completion or abort alike). The one body reader: JSON
/// bodies (<see cref="JsonRequestReader"/>) and raw manifest stores (<c>application/c2pa</c>) are read by <see cref="ReadAsync"/>.
/// </summary>
internal sealed class RequestBody(RequestBodyBudget budget, int reserveFactor = 1) : IDisposable
{
    /// <summary>What a chunked body (no <c>Content-Length</c>) reserves first; it reserves more as it grows.</summary>
    private const int ChunkedInitialBytes = 16 * 1024;

    private readonly List<RequestBodyBudget.Reservation> _reservations = [];
    private NativeBuffer? _buffer;

    public int Length { get; private set; }

    public int Capacity => _buffer?.Length ?? 0;

    /// <summary>Bytes reserved for this body so far.</summary>
    public long Reserved => _reservations.Sum(r => (long)r.Bytes);

    public Memory<byte> Free => _buffer!.WritableMemory[Length..];

    public ReadOnlyMemory<byte> Written => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.Slice(0, Length);

    public void Advance(int count) => Length += count;

    /// <summary>Reserves up to <paramref name="capacity"/> bytes and moves the body into a block of that size; false when the budget said no in time.</summary>
    public async ValueTask<bool> GrowAsync(int capacity, CancellationToken aborted)
    {
        var more = ((long)capacity * reserveFactor) - Reserved;
        if (more > 0)
        {
            var reservation = await budget.ReserveAsync(more, aborted);
            if (reservation is null)
            {
                return false;
            }

            _reservations.Add(reservation);
        }

        var larger = NativeBuffer.Allocate(capacity);
        if (_buffer is { } old)
        {
            old.GetSpan()[..Length].CopyTo(larger.GetSpan());
            old.Release();
        }

        _buffer = larger;
        return true;
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _buffer, null)?.Release();
        foreach (var reservation in _reservations)
        {
            reservation.Dispose();
        }

        _reservations.Clear();
    }

    /// <summary>
    /// Reads a whole request body, whatever it holds (JSON or a raw manifest store), into native memory under the byte
    /// limit, its bytes admitted against the in-flight budget first (<paramref name="reserveFactor"/> bytes per byte):
    /// a body announced or found to be over the limit is refused as soon as that is known (<c>413</c>), an empty one too
    /// (<c>400</c>), one the budget cannot admit in time with <c>503</c>. The caller reads <see cref="Written"/> and
    /// disposes the body (which gives the memory and the reservation back).
    /// </summary>
    public static async Task<(RequestBody? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, int maxBytes, RequestBodyBudget budget,
        int reserveFactor = 1)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(request, maxBytes));
        }

        var aborted = request.HttpContext.RequestAborted;
        var body = new RequestBody(budget, reserveFactor);
        try
        {
            // ADMIT: the body's bytes are reserved before they are read; beyond the budget the request waits its turn.
            var expected = request.ContentLength is { } declared ? (int)declared : ChunkedInitialBytes;
            if (!await body.GrowAsync(Math.Max(expected, 1), aborted))
            {
                return (null, Overloaded(request));
            }

            while (true)
            {
                // Kestrel delivers exactly Content-Length bytes (a short body is an error it raises): nothing to wait for.
                if (request.ContentLength is { } length && body.Length == length)
                {
                    break;
                }

                if (body.Length == body.Capacity)
                {
                    if (body.Length > maxBytes)
                    {
                        return (null, TooLarge(request, maxBytes));
                    }

                    // A chunked body reserves as it grows, at most to one byte over the limit.
                    if (!await body.GrowAsync((int)Math.Min((long)body.Capacity * 2, maxBytes + 1L), aborted))
                    {
                        return (null, Overloaded(request));
                    }
                }

                var read = await request.Body.ReadAsync(body.Free, aborted);
                if (read == 0)
                {
                    break;
                }

                body.Advance(read);
                if (body.Length > maxBytes)
                {
                    return (null, TooLarge(request, maxBytes));
                }
            }

            if (body.Length == 0)
            {
                return (null, JsonRequestReader.BadRequest("The request body is empty."));
            }

            var complete = body;
            body = null;
            return (complete, null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(request, maxBytes));
        }
        finally
        {
            body?.Dispose();
        }
    }

    private static ProblemHttpResult Overloaded(HttpRequest request)
    {
        CloseAfterAnswer(request);
        request.HttpContext.Response.Headers.RetryAfter = ProblemCatalogue.Overloaded.RetryAfterSeconds!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ProblemCatalogue.Result(ProblemCatalogue.Overloaded,
            "Request bodies in flight are at the memory budget. Nothing was changed; retry after the delay in Retry-After.");
    }

    private static ProblemHttpResult TooLarge(HttpRequest request, int maxBytes)
    {
        CloseAfterAnswer(request);
        return ProblemCatalogue.Result(ProblemCatalogue.RequestTooLarge, $"The body exceeds the limit of {maxBytes} bytes.");
    }

    /// <summary>
    /// The body is refused with bytes of it unread: the answer says <c>Connection: close</c>. Kestrel cannot drain a body
    /// over its limit and closes the connection after the answer anyway; without the header a client may already have
    /// put the connection back in its pool and send its next request into the closing socket.
    /// </summary>
    private static void CloseAfterAnswer(HttpRequest request) => request.HttpContext.Response.Headers.Connection = "close";
}

internal sealed class RequestJson(JsonDocument document, RequestBody body) : IDisposable
{
    public JsonElement RootElement => document.RootElement;

    public void Dispose()
    {
        document.Dispose();
        body.Dispose();
    }
}
