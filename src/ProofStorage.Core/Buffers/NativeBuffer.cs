using System.Buffers;
using System.Runtime.InteropServices;

namespace ProofStorage.Core.Buffers;

/// <summary>
/// A block of native memory (outside the GC heap) with a reference count: it is freed, and its bytes returned to the
/// operating system's allocator, the moment the last reference is released. Thread-safe.
/// </summary>
/// <remarks>
/// <para><b>The lifetime invariant.</b> The block starts with one reference, its creator's. Whoever reads its bytes
/// holds a reference for as long as it reads them: <see cref="TryRetain"/> adds one (and fails once the count has
/// reached zero, so a freed block can never be revived) and <see cref="Release"/> gives one back. Memory is freed
/// only when the count reaches zero, which needs every retain to have been released; so a holder can never see its
/// bytes freed under it. A holder that forgets to release leaks the block (visible in <see cref="LiveBytes"/>, which
/// the tests check returns to zero), never the reverse. Reading through <see cref="GetSpan"/> after the block was
/// freed throws <see cref="ObjectDisposedException"/> rather than touching freed memory.</para>
/// <para>Nothing here depends on the garbage collector: no finalizer frees anything (a finalizer could run while a
/// span over the block is still being read), so what the process spends is exactly what is retained.</para>
/// </remarks>
public sealed unsafe partial class NativeBuffer : MemoryManager<byte>
{
    /// <summary>Blocks from this size up are mapped on their own, so freeing one gives its pages back at once.</summary>
    internal const int MapThreshold = 64 * 1024;

    private const int MallocMmapThreshold = -3; // M_MMAP_THRESHOLD in glibc's malloc.h

    private static long s_liveBytes;
    private static long s_liveBlocks;
    private static long s_allocatedBlocks;

    static NativeBuffer()
    {
        // glibc raises its mmap threshold each time a mapped block is freed (up to 32 MiB), after which blocks of that
        // size come from the heap arenas, whose freed memory stays resident: evicted proofs would then leave RSS where
        // it was. A fixed threshold keeps every block of 64 KiB or more mapped, so eviction returns its pages to the
        // operating system. Elsewhere (musl, macOS, Windows) there is nothing to set.
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = SetMallocOption(MallocMmapThreshold, MapThreshold);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc.
            }
        }
    }

    private byte* _pointer;
    private int _length;
    private int _references = 1;

    private NativeBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _pointer = (byte*)NativeMemory.Alloc((nuint)Math.Max(length, 1));
        _length = length;
        Interlocked.Add(ref s_liveBytes, length);
        Interlocked.Increment(ref s_liveBlocks);
        Interlocked.Increment(ref s_allocatedBlocks);
    }

    /// <summary>Bytes in blocks not yet freed, process-wide.</summary>
    public static long LiveBytes => Interlocked.Read(ref s_liveBytes);

    /// <summary>Blocks not yet freed, process-wide.</summary>
    public static long LiveBlocks => Interlocked.Read(ref s_liveBlocks);

    /// <summary>Blocks allocated since the process started, freed or not (a duplicate store answered from L1 allocates none).</summary>
    public static long AllocatedBlocks => Interlocked.Read(ref s_allocatedBlocks);

    /// <summary>The block's size in bytes.</summary>
    public int Length => _length;

    /// <summary>True once the last reference was released and the memory freed.</summary>
    public bool IsFreed => Volatile.Read(ref _references) == 0;

    /// <summary>A new block of <paramref name="length"/> uninitialised bytes, holding one reference (the caller's).</summary>
    public static NativeBuffer Allocate(int length) => new(length);

    /// <summary>Adds a reference, unless the block was already freed (then nothing changes and the answer is false).</summary>
    public bool TryRetain()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Gives back one reference; the last one frees the memory.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            NativeMemory.Free(_pointer);
            Interlocked.Add(ref s_liveBytes, -_length);
            Interlocked.Decrement(ref s_liveBlocks);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("A native buffer was released more often than it was retained.");
        }
    }

    /// <summary>The block's address, for its creator to fill (through a stream, say) before sharing it.</summary>
    internal byte* Pointer => _pointer;

    /// <summary>
    /// Gives the tail beyond <paramref name="length"/> back to the allocator. Only while the creator holds the one
    /// reference and nothing has been handed out: the block may move.
    /// </summary>
    internal void Shrink(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _length);
        if (Volatile.Read(ref _references) != 1)
        {
            throw new InvalidOperationException("Only a block nobody else holds can shrink.");
        }

        _pointer = (byte*)NativeMemory.Realloc(_pointer, (nuint)Math.Max(length, 1));
        Interlocked.Add(ref s_liveBytes, length - _length);
        _length = length;
    }

    /// <summary>A slice of the block as memory (no copy); valid while the caller holds a reference.</summary>
    public ReadOnlyMemory<byte> Slice(int start, int length) => CreateMemory(start, length);

    /// <summary>The whole block as writable memory, for its creator to fill before sharing it.</summary>
    public Memory<byte> WritableMemory => CreateMemory(_length);

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(IsFreed, this);
        return new Span<byte>(_pointer, _length);
    }

    /// <summary>Pinning holds a reference until <see cref="Unpin"/>, so pinned bytes stay allocated.</summary>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        ObjectDisposedException.ThrowIf(!TryRetain(), this);
        return new MemoryHandle(_pointer + elementIndex, default, this);
    }

    public override void Unpin() => Release();

    /// <summary>Disposing as an <see cref="IMemoryOwner{T}"/> gives back the owner's one reference.</summary>
    protected override void Dispose(bool disposing) => Release();

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int SetMallocOption(int option, int value);
}
