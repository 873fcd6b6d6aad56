using System.Buffers.Binary;
using ProofStorage.Core.C2pa;
using Xunit;

namespace ProofStorage.Testing;

/// <summary>What fuzz tests of <see cref="ManifestStore.Parse"/> check on every input, and where a store's boxes are.</summary>
public static class ManifestStoreFuzz
{
    /// <summary>Lengths that break naive box readers: zero, the 64-bit marker, shorter than a header, sign and size edges.</summary>
    public static IReadOnlyList<uint> HostileLengths(int inputLength) =>
        [0, 1, 2, 7, 8, 15, 16, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, (uint)inputLength - 1, (uint)inputLength, (uint)inputLength + 1];

    /// <summary>
    /// Parses <paramref name="input"/>: null when it is accepted (and then the store must be consistent: manifests inside
    /// the input, distinct valid labels, the last one active, a re-readable active-only store), the reason when it is
    /// refused. Any other exception propagates, which fails the calling test.
    /// </summary>
    public static ManifestStoreFormatError? Outcome(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ManifestStore store;
        try
        {
            store = ManifestStore.Parse(input);
        }
        catch (ManifestStoreFormatException e)
        {
            return e.Error;
        }

        Assert.NotEmpty(store.Manifests);
        Assert.Same(store.Manifests[^1], store.ActiveManifest);
        Assert.Equal(store.Manifests.Count, store.Manifests.Select(m => m.Label).Distinct(StringComparer.Ordinal).Count());
        Assert.All(store.Manifests, m =>
        {
            Assert.InRange(m.Range.Offset, 8, input.Length - 1);
            Assert.InRange(m.Range.End, m.Range.Offset + 8, input.Length);
            Assert.True(ManifestStore.IsManifestLabel(m.Label), m.Label);
        });
        Assert.Equal(store.ActiveManifest.Label, ManifestStore.Parse(store.ToActiveManifestOnly()).ActiveManifest.Label);
        return null;
    }

    /// <summary>
    /// <paramref name="bytes"/> with a run of up to <paramref name="maxRun"/> bytes cut out at <paramref name="from"/> and
    /// pasted back at <paramref name="to"/> (positions taken modulo the length): boxes land inside the wrong parents and
    /// lengths stop adding up.
    /// </summary>
    public static byte[] Splice(byte[] bytes, int from, int length, int to, int maxRun)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var start = from % bytes.Length;
        var run = bytes.AsSpan(start, Math.Min(length % maxRun, bytes.Length - start)).ToArray();
        var rest = bytes.Where((_, i) => i < start || i >= start + run.Length).ToList();
        rest.InsertRange(to % (rest.Count + 1), run);
        return [.. rest];
    }

    /// <summary>The offset of every box header in a well-formed JUMBF tree, descending into jumb superboxes.</summary>
    public static List<int> BoxOffsets(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var offsets = new List<int>();
        Walk(0, bytes.Length);
        return offsets;

        void Walk(int start, int end)
        {
            for (var at = start; at + 8 <= end;)
            {
                offsets.Add(at);
                var length = (long)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
                var header = 8;
                if (length == 1)
                {
                    length = (long)BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(at + 8));
                    header = 16;
                }

                if (bytes.AsSpan(at + 4, 4).SequenceEqual("jumb"u8))
                {
                    Walk(at + header, at + (int)length);
                }

                at += (int)length;
            }
        }
    }
}
