using System.Buffers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ProofStorage.Api.Http;

/// <summary>
/// Reads a whole request body under a byte limit, whatever it holds (JSON or a raw manifest store): a body announced or
/// found to be over the limit is refused as soon as that is known (<c>413</c>), an empty one too (<c>400</c>). Returns an
/// array of exactly the body's length, the one copy a store keeps until its record is built.
/// </summary>
internal static class RequestBody
{
    public static async Task<(byte[]? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 16 * 1024, maxBytes) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        return (null, TooLarge(maxBytes));
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    return (null, TooLarge(maxBytes));
                }
            }

            return length == 0 ? (null, JsonRequestReader.BadRequest("The request body is empty.")) : (buffer.AsSpan(0, length).ToArray(), null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ProblemHttpResult TooLarge(int maxBytes) =>
        ProblemCatalogue.Result(ProblemCatalogue.RequestTooLarge, $"The body exceeds the limit of {maxBytes} bytes.");
}
