using System.Text.Json;
using ProofStorage.Api.Security;
using ProofStorage.Core.Buffers;

namespace ProofStorage.Api.Http;

/// <summary>
/// A request body being read into native memory, with the bytes it holds reserved against the in-flight body budget:
/// <paramref name="reserveFactor"/> bytes per byte of body, so a store reserves what it will build from the body too.
/// Disposing frees the memory and gives the reservation back (on completion or abort alike).
/// </summary>
internal sealed class RequestBody(RequestBodyBudget budget, int reserveFactor = 1) : IDisposable
{
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
}

/// <summary>A parsed request body: the document and the bytes it was parsed from (which it reads in place); disposing frees both.</summary>
internal sealed class RequestJson(JsonDocument document, RequestBody body) : IDisposable
{
    public JsonElement RootElement => document.RootElement;

    public void Dispose()
    {
        document.Dispose();
        body.Dispose();
    }
}
