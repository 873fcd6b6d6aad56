using static System.FormattableString;

namespace ProofStorage.Migrate.Migration;

/// <summary>What a dry run expects a real run to write, and how long it expects it to take (with how it estimated).</summary>
/// <param name="NewProofs">Proofs the run would create.</param>
/// <param name="Deduplicated">Items whose image already has a proof (in the target, or earlier in the source).</param>
/// <param name="AliasesToRegister">Legacy ids the run would record.</param>
/// <param name="StoredBytes">Envelope bytes of the new proofs, as the target's write pipeline prepares them.</param>
/// <param name="SourceBytes">Bytes read from the source.</param>
/// <param name="DurationSeconds">The estimated duration of the real run with the same options, or null when the target could not be timed.</param>
/// <param name="Method">How the duration was estimated, in words (printed under the summary).</param>
/// <param name="Basis">The measured inputs, for the report (null without an estimate).</param>
internal sealed record DryRunEstimate(long NewProofs, long Deduplicated, long AliasesToRegister, long StoredBytes, long SourceBytes,
    double? DurationSeconds = null, string? Method = null, DryRunSample? Basis = null);

/// <summary>
/// What a dry run measured, for <see cref="DryRunEstimator"/>: its own listing and loading (the same work a real run
/// does), the CPU of preparing the items' envelopes, the requests a real run would send, and the target timed on a
/// sample of that traffic.
/// </summary>
/// <param name="Parallelism">The run's <c>--parallelism</c>.</param>
/// <param name="Processors">Processors this process may use.</param>
/// <param name="ListSeconds">Listing the source (measured).</param>
/// <param name="LoadSeconds">Reading and parsing every item, batch by batch at the run's parallelism (measured).</param>
/// <param name="CpuSeconds">Validating and preparing (record, gzip, AES-GCM) every item a real run stores: measured per item, CPU time summed.</param>
/// <param name="Writes">Create-if-absent writes a real run sends to the target: each stored item's proof, each alias.</param>
/// <param name="Reads">Reads a real run sends to the target: a duplicate's existing proof, and with <c>--verify</c> each id read back (alias then proof).</param>
/// <param name="Deletes">Source items <c>--delete-after</c> would delete (timed at the target's delete rate).</param>
/// <param name="Probe">The target timed on probe items sending the same mix of requests at the run's parallelism.</param>
internal sealed record DryRunSample(int Parallelism, int Processors, double ListSeconds, double LoadSeconds, double CpuSeconds,
    long Writes, long Reads, long Deletes, ProbeRates Probe);

/// <summary>What the probe sent and how long it took.</summary>
/// <param name="Items">Probe items (each the run's mix of creates and reads).</param>
/// <param name="ObjectBytes">Size of each probe object (the proofs' mean envelope).</param>
/// <param name="Writes">Creates the probe items sent.</param>
/// <param name="Reads">Reads the probe items sent.</param>
/// <param name="Seconds">How long the items took at the run's parallelism.</param>
/// <param name="Deletes">Probe objects deleted afterwards.</param>
/// <param name="DeleteSeconds">How long the deletes took at the run's parallelism.</param>
/// <param name="CpuSeconds">This process's CPU time (user and system, every thread) over the timed requests.</param>
/// <param name="DeleteCpuSeconds">This process's CPU time over the deletes.</param>
internal sealed record ProbeRates(int Items, int ObjectBytes, long Writes, long Reads, double Seconds, long Deletes, double DeleteSeconds,
    double CpuSeconds = 0, double DeleteCpuSeconds = 0)
{
    /// <summary>Seconds per request of the mix (writes and reads together).</summary>
    public double SecondsPerRequest => Writes + Reads == 0 ? 0 : Seconds / (Writes + Reads);

    /// <summary>Seconds per delete.</summary>
    public double SecondsPerDelete => Deletes == 0 ? 0 : DeleteSeconds / Deletes;

    /// <summary>CPU-seconds this process spent per request of the mix (the client's side: SDK, TLS, file system calls).</summary>
    public double CpuPerRequest => Writes + Reads == 0 ? 0 : CpuSeconds / (Writes + Reads);

    /// <summary>CPU-seconds this process spent per delete.</summary>
    public double CpuPerDelete => Deletes == 0 ? 0 : DeleteCpuSeconds / Deletes;
}

/// <summary>The dry run's duration estimate: arithmetic only, so it is tested with made-up samples.</summary>
internal static class DryRunEstimator
{
    /// <summary>
    /// listing + loading (as measured) + whichever bounds the run: the target (the run's requests at the pace it kept
    /// for a sample of the same mix at the run's parallelism, and its deletes likewise) or this process's CPU (validating
    /// and preparing every item, plus the CPU the probe spent per request, spread over the cores the run can use).
    /// </summary>
    /// <remarks>
    /// Against a remote store the requests wait on the target while the CPU prepares the next items, so the slower of
    /// the two sets the pace; against a local filesystem the requests are themselves this process's CPU (measured: a
    /// pinned one-core run spent 1.0-1.3 ms of CPU per record, most of it outside the envelope), and the CPU bound wins.
    /// </remarks>
    public static TimeSpan Estimate(DryRunSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var requests = sample.Writes + sample.Reads;
        var target = requests * sample.Probe.SecondsPerRequest + sample.Deletes * sample.Probe.SecondsPerDelete;
        var cpu = CpuSeconds(sample) / Cores(sample);
        return TimeSpan.FromSeconds(sample.ListSeconds + sample.LoadSeconds + Math.Max(target, cpu));
    }

    /// <summary>The CPU-seconds <see cref="Estimate"/> spreads over the cores.</summary>
    private static double CpuSeconds(DryRunSample sample) =>
        sample.CpuSeconds + (sample.Writes + sample.Reads) * sample.Probe.CpuPerRequest + sample.Deletes * sample.Probe.CpuPerDelete;

    /// <summary>The estimate and, in words, what it rests on; without a sample, why there is no estimate.</summary>
    public static DryRunEstimate Complete(DryRunEstimate counts, DryRunSample? sample, string? problem)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (sample is null)
        {
            return counts with { Method = "no duration estimate: " + (problem ?? "the target was not timed") };
        }

        var estimate = Estimate(sample);
        var p = sample.Probe;
        var deletes = sample.Deletes > 0 ? Invariant($" + {sample.Deletes:N0} deletes at {p.SecondsPerDelete * 1000:0.00} ms each") : "";
        var method = Invariant($"{sample.Writes:N0} writes + {sample.Reads:N0} reads at {p.SecondsPerRequest * 1000:0.000} ms each{deletes}")
            + Invariant($" (the target's pace on {p.Items} probe items sending the same mix, {p.Writes:N0} creates and {p.Reads:N0} reads of {p.ObjectBytes:N0} B probe objects under {TargetProbe.Prefix}, at parallelism {sample.Parallelism}, then deleted)")
            + Invariant($" + listing {sample.ListSeconds:0.0} s and loading {sample.LoadSeconds:0.0} s as this dry run measured")
            + Invariant($", or, when it is larger, {CpuSeconds(sample):0.0} CPU-seconds over {Cores(sample)} core(s): {sample.CpuSeconds:0.0} s validating and sealing the items and {p.CpuPerRequest * 1000:0.000} ms per request as the probe spent");
        return counts with { DurationSeconds = Math.Round(estimate.TotalSeconds, 3), Method = method, Basis = sample };
    }

    private static int Cores(DryRunSample sample) => Math.Max(1, Math.Min(sample.Parallelism, sample.Processors));
}
