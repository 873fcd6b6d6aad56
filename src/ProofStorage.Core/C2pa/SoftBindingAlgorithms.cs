using System.Collections.Frozen;

namespace ProofStorage.Core.C2pa;

/// <summary>What a soft binding algorithm computes (the list's <c>type</c>).</summary>
public enum SoftBindingAlgorithmType
{
    /// <summary>An invisible watermark: a value embedded in the content and read back from it.</summary>
    Watermark,

    /// <summary>A fingerprint: a value computed from the content.</summary>
    Fingerprint,
}

/// <summary>One entry of the C2PA soft binding algorithm list.</summary>
/// <param name="Identifier">The list's own number for the entry.</param>
/// <param name="Alg">The name soft-binding assertions and the Soft Binding Resolution API use.</param>
/// <param name="Type">Watermark or fingerprint.</param>
public sealed record SoftBindingAlgorithm(int Identifier, string Alg, SoftBindingAlgorithmType Type);

/// <summary>
/// The algorithm names this service accepts: the C2PA soft binding algorithm list
/// (<c>https://spec.c2pa.org/softbinding-alg-list/softbinding-algorithm-list.json</c>, repository
/// <c>c2pa-org/softbinding-algorithm-list</c>) as of commit 68246ad (2026-04-15), none of its entries deprecated then.
/// A name not on the list is refused on store and on query: nobody could resolve a value of it anyway.
/// </summary>
/// <remarks>
/// The list only grows (entries are never renumbered); adding an algorithm here is adding its line, with the list's
/// identifier and type. Names are case-sensitive (<c>com.adobe.trustmark.Q</c> and <c>…C</c> are different algorithms).
/// </remarks>
public static class SoftBindingAlgorithms
{
    /// <summary>Every accepted algorithm, in the list's order.</summary>
    public static IReadOnlyList<SoftBindingAlgorithm> All { get; } =
    [
        new(1, "com.digimarc.validate.1", SoftBindingAlgorithmType.Watermark),
        new(2, "org.atsc.a336", SoftBindingAlgorithmType.Watermark),
        new(3, "io.iscc.v0", SoftBindingAlgorithmType.Fingerprint),
        new(4, "com.adobe.trustmark.Q", SoftBindingAlgorithmType.Watermark),
        new(5, "com.adobe.trustmark.C", SoftBindingAlgorithmType.Watermark),
        new(6, "com.adobe.icn.dense", SoftBindingAlgorithmType.Fingerprint),
        new(7, "ai.steg.api", SoftBindingAlgorithmType.Watermark),
        new(8, "ai.trufo.gen1.image", SoftBindingAlgorithmType.Watermark),
        new(9, "ai.trufo.gen1.image-lite", SoftBindingAlgorithmType.Watermark),
        new(10, "app.overlai.watermark.1", SoftBindingAlgorithmType.Watermark),
        new(11, "tv.kinetiq.watercast.48.1", SoftBindingAlgorithmType.Watermark),
        new(12, "castLabs.watermark.1", SoftBindingAlgorithmType.Watermark),
        new(13, "com.adobe.trustmark.P", SoftBindingAlgorithmType.Watermark),
        new(14, "com.imatag.lamark.v1", SoftBindingAlgorithmType.Watermark),
        new(15, "com.nagra.nexguard.watermark.1", SoftBindingAlgorithmType.Watermark),
        new(16, "com.mentaport.watermark.1", SoftBindingAlgorithmType.Watermark),
        new(17, "com.digicaps.fingerprint.1", SoftBindingAlgorithmType.Fingerprint),
        new(18, "com.sonicorigin.watermark.1", SoftBindingAlgorithmType.Watermark),
        new(19, "com.microsoft.invismark.1", SoftBindingAlgorithmType.Watermark),
        new(20, "com.microsoft.wavmark.1", SoftBindingAlgorithmType.Watermark),
        new(21, "ai.contentlens.image.basewmk", SoftBindingAlgorithmType.Watermark),
        new(22, "ai.contentlens.image.ensemblewmk", SoftBindingAlgorithmType.Watermark),
        new(23, "ai.contentlens.image.customwmk", SoftBindingAlgorithmType.Watermark),
        new(24, "ai.contentlens.audio.mono", SoftBindingAlgorithmType.Watermark),
        new(25, "ai.contentlens.audio.stereo", SoftBindingAlgorithmType.Watermark),
        new(26, "es.lumatrace", SoftBindingAlgorithmType.Watermark),
        new(27, "com.markany.watermark.1", SoftBindingAlgorithmType.Watermark),
        new(28, "com.verimatrix.watermark.1", SoftBindingAlgorithmType.Watermark),
        new(29, "com.writerslogic.zwc-watermark.1", SoftBindingAlgorithmType.Watermark),
        new(30, "com.aiwatermark.videoseal.1", SoftBindingAlgorithmType.Watermark),
        new(31, "com.aiwatermark.pixelseal.1", SoftBindingAlgorithmType.Watermark),
        new(32, "com.aiwatermark.audioseal.1", SoftBindingAlgorithmType.Watermark),
    ];

    private static readonly FrozenDictionary<string, SoftBindingAlgorithm> ByName = All.ToFrozenDictionary(a => a.Alg, StringComparer.Ordinal);

    /// <summary>The entry named <paramref name="alg"/> (exact, case-sensitive), or <see langword="null"/>.</summary>
    public static SoftBindingAlgorithm? Find(string? alg) => alg is not null && ByName.TryGetValue(alg, out var entry) ? entry : null;

    /// <summary>True when <paramref name="alg"/> is on the list.</summary>
    public static bool IsKnown(string? alg) => Find(alg) is not null;
}
