using System.Buffers;

namespace ProofStorage.Core.Buffers;

/// <summary>An <see cref="IBufferWriter{T}"/> over memory of a fixed size: it never grows, so nothing is copied.</summary>
internal sealed class FixedBufferWriter(Memory<byte> destination) : IBufferWriter<byte>
{
    public int Written { get; private set; }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, destination.Length - Written);
        Written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var free = destination[Written..];
        if (free.Length < Math.Max(sizeHint, 1))
        {
            throw new InvalidOperationException($"The fixed buffer has {free.Length} bytes left, {sizeHint} were asked for.");
        }

        return free;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
