using ProofStorage.Core;
using ProofStorage.Core.Codec;
using ProofStorage.Core.Dedup;
using ProofStorage.Core.Storage;
using ProofStorage.Maintenance.Walking;

namespace ProofStorage.Maintenance.Scrub;

/// <summary>What a scrub pass does.</summary>
/// <param name="Deep">Read and verify every copy (the deep pass); otherwise compare listings and read only the keys they disagree on.</param>
/// <param name="DryRun">Report what would be repaired or deleted; write nothing.</param>
/// <param name="TombstoneRetention">Tombstones older than this are removed (see docs/operations.md for how long is safe).</param>
internal sealed record ScrubSettings(bool Deep, bool DryRun, TimeSpan TombstoneRetention);

/// <summary>
/// The scrub: walks every copy of the store (<see cref="StoreWalk"/>) and, for each proof, alias and C2PA index object, finds missing,
/// divergent and corrupt copies and rewrites them from a good copy with a conditional write, never bringing back a deleted
/// proof; then removes expired tombstones.
/// </summary>
/// <remarks>
/// <para>Per key: the <b>listing pass</b> reads nothing when every copy lists the key with the same size (and the same
/// MD5, when both listings give one). Otherwise, and for every key in the <b>deep pass</b>, each listed copy is read and
/// verified: the backend's stored SHA-256 (S3/R2), the AES-GCM envelope, the record's identity (<see cref="StoredObjects"/>),
/// and, deep, that the proof an alias or index object names exists.</para>
/// <para>Index objects (<c>bindings/</c>, <c>manifests/</c>) are repaired like aliases. They get no tombstones (a failover
/// delete writes them for proofs and aliases only), so a copy of a deleted proof's index object that one member still
/// holds can be copied back; that is harmless (a lookup reads the proof, finds none and skips it) and the deep pass reports
/// it as dangling.</para>
/// <para>Then, with a good copy (the primary's first): a copy that is missing is created (create-if-absent), one that is
/// corrupt or holds other bytes is replaced (if-match on its version). Before writing, and again after, the scrub looks
/// for a tombstone naming the good copy's bytes on every copy: before, it means the proof was deleted and the delete is
/// finished instead (the remaining copies are deleted if still those bytes); after, a delete ran meanwhile, and what the
/// scrub wrote is deleted again (if still its bytes). A delete writes its tombstones before removing any copy, so either
/// the delete removes the repaired copy, or the scrub sees the tombstone: a deleted proof never survives.</para>
/// <para>No good copy (all corrupt, or the only copy corrupt): reported unrecoverable, nothing written. A copy that cannot
/// be reached: the key is deferred to the next pass.</para>
/// </remarks>
internal sealed class Scrubber(IReadOnlyList<StoreCopy> copies, ProofEnvelopeCodec codec, int maxRecordBytes, ScrubSettings settings, Throttle throttle,
    TimeProvider time)
{
    /// <summary>
    /// The folders a pass walks, in order: every folder of sealed objects (aliases, proofs, the C2PA index), then the
    /// tombstones (expiry only).
    /// </summary>
    public static IReadOnlyList<string> Folders { get; } = [.. StoredObjects.Folders, Tombstones.Folder];

    public Task<bool> RunAsync(WalkState state, WalkSettings walk, Func<int, Task>? afterBatch, CancellationToken cancellationToken) =>
        StoreWalk.RunAsync(copies, Folders, state, walk, throttle, CheckAsync, afterBatch, cancellationToken);

    private Task CheckAsync(ListedKey listed, WalkTally tally, CancellationToken cancellationToken) =>
        listed.Key.StartsWith(Tombstones.Folder, StringComparison.Ordinal)
            ? ExpireTombstoneAsync(listed, tally, cancellationToken)
            : CheckObjectAsync(listed, tally, cancellationToken);

    private async Task CheckObjectAsync(ListedKey listed, WalkTally tally, CancellationToken cancellationToken)
    {
        var key = listed.Key;
        if (!settings.Deep && ListingsAgree(listed.Entries))
        {
            tally.Count("ok");
            return;
        }

        // READ + VERIFY each listed copy.
        var reads = new CopyRead[copies.Count];
        await Task.WhenAll(Enumerable.Range(0, copies.Count).Select(async i =>
            reads[i] = listed.Entries[i] is { } entry ? await ReadAsync(i, key, entry, tally, cancellationToken).ConfigureAwait(false) : CopyRead.Missing))
            .ConfigureAwait(false);

        if (reads.Any(r => r.State == CopyState.Unavailable))
        {
            Deferred(tally, key, string.Join("; ", Describe(reads, CopyState.Unavailable)));
            return;
        }

        var source = Array.FindIndex(reads, r => r.State == CopyState.Good);
        if (source < 0)
        {
            if (reads.Any(r => r.State == CopyState.Corrupt))
            {
                tally.Count("unrecoverable");
                tally.Report(key, FindingKind.Unrecoverable, (copies.Count == 1 || reads.Count(r => r.State == CopyState.Corrupt) == 1 ? "the only copy is bad: " : "every copy is bad: ")
                    + string.Join("; ", Describe(reads, CopyState.Corrupt)));
            }
            else
            {
                tally.Count("vanished");
            }

            return;
        }

        var good = reads[source];
        var targets = Enumerable.Range(0, copies.Count).Where(i => reads[i].State != CopyState.Good || reads[i].Sha != good.Sha).ToList();
        if (targets.Count == 0)
        {
            tally.Count("ok");
            await CheckAliasTargetAsync(key, good, tally, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A deleted proof is never repaired: finish its delete instead.
        switch (await TombstonedAsync(key, good.Sha!, cancellationToken).ConfigureAwait(false))
        {
            case null:
                Deferred(tally, key, "a copy could not be asked for a tombstone");
                return;
            case true:
                await FinishDeleteAsync(key, reads, good.Sha!, tally, cancellationToken).ConfigureAwait(false);
                return;
        }

        var reasons = string.Join("; ", targets.Select(i => $"{copies[i].Role} {Reason(reads[i], good)}"));
        if (settings.DryRun)
        {
            tally.Count("would.repair", targets.Count);
            tally.Report(key, FindingKind.WouldRepair, $"from {copies[source].Role}: {reasons}");
            return;
        }

        // REPAIR with conditional writes: any concurrent write or delete of the copy wins.
        var written = new List<(int Copy, string Version)>();
        foreach (var i in targets)
        {
            var version = reads[i].State == CopyState.Missing
                ? await copies[i].Objects.TryCreateAsync(key, good.Content, cancellationToken).ConfigureAwait(false)
                : reads[i].Version is { } current
                    ? await copies[i].Objects.TryReplaceAsync(key, good.Content, current, cancellationToken).ConfigureAwait(false)
                    : null;
            if (version is null)
            {
                tally.Count("changed.concurrently");
                tally.Report(key, FindingKind.ChangedConcurrently, $"{copies[i].Role} changed before the repair could write it; the next pass looks again");
            }
            else
            {
                written.Add((i, version));
            }
        }

        if (written.Count == 0)
        {
            return;
        }

        // A delete that began while this wrote has its tombstone in place now: take the written copies back.
        if (await TombstonedAsync(key, good.Sha!, cancellationToken).ConfigureAwait(false) != false)
        {
            foreach (var (copy, version) in written)
            {
                await copies[copy].Objects.TryDeleteAsync(key, version, cancellationToken).ConfigureAwait(false);
            }

            tally.Count("deleted.during.repair");
            tally.Report(key, FindingKind.DeletedDuringRepair, "deleted while being repaired: the repaired copies were taken back");
            return;
        }

        tally.Count("repaired", written.Count);
        tally.Report(key, FindingKind.Repaired, $"from {copies[source].Role}: {string.Join("; ", written.Select(w => $"{copies[w.Copy].Role} {Reason(reads[w.Copy], good)}"))}");
        await CheckAliasTargetAsync(key, good, tally, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when every copy lists the key alike: same size, and the same MD5 where both listings give one.</summary>
    private static bool ListingsAgree(ObjectEntry?[] entries)
    {
        if (entries.Any(e => e is null))
        {
            return false;
        }

        var first = entries[0]!;
        return entries.All(e => e!.Size == first.Size && (e.ContentMd5 is null || first.ContentMd5 is null || e.ContentMd5 == first.ContentMd5));
    }

    private async Task<CopyRead> ReadAsync(int index, string key, ObjectEntry entry, WalkTally tally, CancellationToken cancellationToken)
    {
        var copy = copies[index];
        VersionedObject? read;
        try
        {
            read = await StoreWalk.ReadAsync(throttle, tally, entry, () => copy.Objects.GetVersionedAsync(key, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ProofIntegrityException ex)
        {
            // The backend's own checksum refused the bytes; the listing's ETag is the version to replace.
            return CopyRead.Corrupt(ex.Kind + ": " + ex.Message, entry.ETag);
        }
        catch (StorageUnavailableException ex)
        {
            return new CopyRead(CopyState.Unavailable, default, null, null, ex.Message, null);
        }

        if (read is null)
        {
            return CopyRead.Missing;
        }

        try
        {
            var pointsTo = StoredObjects.Open(codec, read.Content.Span, key, maxRecordBytes).NamedProofId;
            return new CopyRead(CopyState.Good, read.Content, read.Version, Tombstones.IncarnationOf(read.Content.Span), null, pointsTo);
        }
        catch (ProofIntegrityException ex)
        {
            return CopyRead.Corrupt(ex.Kind + ": " + ex.Message, read.Version);
        }
    }

    /// <summary>True when any copy holds a tombstone for these bytes; <see langword="null"/> when a copy could not be asked.</summary>
    private async Task<bool?> TombstonedAsync(string key, string sha, CancellationToken cancellationToken)
    {
        if (!Tombstones.AppliesTo(key))
        {
            return false;
        }

        var found = false;
        foreach (var copy in copies)
        {
            try
            {
                found |= await Tombstones.ExistsAsync(copy.Provider, key, sha, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StorageUnavailableException or ProofIntegrityException)
            {
                return null;
            }
        }

        return found;
    }

    private async Task FinishDeleteAsync(string key, CopyRead[] reads, string sha, WalkTally tally, CancellationToken cancellationToken)
    {
        var left = Enumerable.Range(0, copies.Count).Where(i => reads[i].State == CopyState.Good && reads[i].Sha == sha).ToList();
        if (settings.DryRun)
        {
            tally.Count("would.finish.delete");
            tally.Report(key, FindingKind.DeleteFinished, $"dry run: would delete what is left of a deleted proof on {string.Join(", ", left.Select(i => copies[i].Role))}");
            return;
        }

        foreach (var i in left)
        {
            await copies[i].Objects.TryDeleteAsync(key, reads[i].Version!, cancellationToken).ConfigureAwait(false);
        }

        tally.Count("deletes.finished");
        tally.Report(key, FindingKind.DeleteFinished, $"a tombstone names these bytes: deleted what was left on {string.Join(", ", left.Select(i => copies[i].Role))}");
    }

    private async Task CheckAliasTargetAsync(string key, CopyRead good, WalkTally tally, CancellationToken cancellationToken)
    {
        if (!settings.Deep || good.AliasOf is not { } proofId)
        {
            return;
        }

        foreach (var copy in copies)
        {
            try
            {
                if (await copy.Objects.ReadPrefixAsync(DedupProtocol.ProofKey(proofId), 1, cancellationToken).ConfigureAwait(false) is not null)
                {
                    return;
                }
            }
            catch (StorageUnavailableException)
            {
                // Another copy may answer.
            }
        }

        if (key.StartsWith(DedupProtocol.AliasPrefix, StringComparison.Ordinal))
        {
            tally.Count("aliases.dangling");
            tally.Report(key, FindingKind.DanglingAlias, $"names proof {proofId}, which no copy holds");
            return;
        }

        // A store writes its index objects before its proof and a delete removes them after it, so one may be mid-store,
        // or left by a store or delete that failed half-way: lookups check the proof and never answer it.
        tally.Count("index.dangling");
        tally.Report(key, FindingKind.DanglingIndex, $"indexes proof {proofId}, which no copy holds (a store in progress or interrupted; lookups skip it)");
    }

    private async Task ExpireTombstoneAsync(ListedKey listed, WalkTally tally, CancellationToken cancellationToken)
    {
        var newest = listed.Entries.Max(e => e?.LastModified ?? DateTimeOffset.MinValue);
        if (time.GetUtcNow() - newest < settings.TombstoneRetention)
        {
            tally.Count("tombstones.kept");
            return;
        }

        if (settings.DryRun)
        {
            tally.Count("tombstones.would.expire");
            return;
        }

        for (var i = 0; i < copies.Count; i++)
        {
            if (listed.Entries[i] is not null)
            {
                await copies[i].Provider.DeleteAsync(listed.Key, cancellationToken).ConfigureAwait(false);
            }
        }

        tally.Count("tombstones.expired");
    }

    private static void Deferred(WalkTally tally, string key, string why)
    {
        tally.Count("deferred");
        tally.Report(key, FindingKind.Deferred, why);
    }

    private IEnumerable<string> Describe(CopyRead[] reads, CopyState state) =>
        Enumerable.Range(0, copies.Count).Where(i => reads[i].State == state).Select(i => $"{copies[i].Role}: {reads[i].Reason}");

    private static string Reason(CopyRead read, CopyRead good) => read.State switch
    {
        CopyState.Missing => "was missing",
        CopyState.Corrupt => "was corrupt (" + read.Reason + ")",
        _ => read.Sha == good.Sha ? "was different" : "held other bytes than the authoritative copy",
    };

    private enum CopyState
    {
        Missing,
        Good,
        Corrupt,
        Unavailable,
    }

    /// <summary>What reading one copy found.</summary>
    private sealed record CopyRead(CopyState State, ReadOnlyMemory<byte> Content, string? Version, string? Sha, string? Reason, string? AliasOf)
    {
        public static CopyRead Missing { get; } = new(CopyState.Missing, default, null, null, "missing", null);

        public static CopyRead Corrupt(string reason, string? version) => new(CopyState.Corrupt, default, version, null, reason, null);
    }
}
