using ProofStorage.Core;
using ProofStorage.Core.Codec;
using ProofStorage.Maintenance.Walking;

namespace ProofStorage.Maintenance.Keys;

/// <summary>
/// The key census: how many objects each encryption key id seals, per copy. Reads only each envelope's header (a ranged
/// read of <see cref="ProofEnvelopeCodec.KeyIdHeaderLength"/> bytes), never a whole object; counts are
/// <c>sealed.{role}.{keyId}</c>, or <c>sealed.{role}.(not an envelope)</c>.
/// </summary>
internal sealed class KeyCensus(IReadOnlyList<StoreCopy> copies, Throttle throttle)
{
    public static IReadOnlyList<string> Folders { get; } = StoredObjects.Folders;

    public Task<bool> RunAsync(WalkState state, WalkSettings walk, Func<int, Task>? afterBatch, CancellationToken cancellationToken) =>
        StoreWalk.RunAsync(copies, Folders, state, walk, throttle, CountAsync, afterBatch, cancellationToken);

    private async Task CountAsync(ListedKey listed, WalkTally tally, CancellationToken cancellationToken)
    {
        for (var i = 0; i < copies.Count; i++)
        {
            if (listed.Entries[i] is not { } entry)
            {
                continue;
            }

            var copy = copies[i];
            byte[]? header;
            try
            {
                header = await StoreWalk.ReadAsync(throttle, tally, entry with { Size = Math.Min(entry.Size, ProofEnvelopeCodec.KeyIdHeaderLength) },
                    () => copy.Objects.ReadPrefixAsync(listed.Key, ProofEnvelopeCodec.KeyIdHeaderLength, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                tally.Count("deferred");
                tally.Report(listed.Key, FindingKind.Deferred, $"{copy.Role}: {ex.Message}");
                continue;
            }

            if (header is not null)
            {
                tally.Count($"sealed.{copy.Role}.{(ProofEnvelopeCodec.TryReadKeyId(header, out var keyId) ? keyId : "(not an envelope)")}");
            }
        }
    }
}

/// <summary>
/// Re-encryption in place: every object not sealed under the active key is opened (verified as the read path does),
/// re-sealed under the active key and written back with a conditional replace on the version read, on every copy, so a
/// concurrent delete or write wins (reported, not retried). Identical copies get identical new bytes, so the listing pass
/// still sees them agree.
/// </summary>
internal sealed class Reencryptor(IReadOnlyList<StoreCopy> copies, ProofEnvelopeCodec codec, EncryptionKeyRing keys, int maxRecordBytes, bool dryRun,
    Throttle throttle)
{
    public Task<bool> RunAsync(WalkState state, WalkSettings walk, Func<int, Task>? afterBatch, CancellationToken cancellationToken) =>
        StoreWalk.RunAsync(copies, KeyCensus.Folders, state, walk, throttle, ReencryptAsync, afterBatch, cancellationToken);

    private async Task ReencryptAsync(ListedKey listed, WalkTally tally, CancellationToken cancellationToken)
    {
        var key = listed.Key;
        byte[]? resealed = null;
        string? resealedFrom = null;
        for (var i = 0; i < copies.Count; i++)
        {
            if (listed.Entries[i] is not { } entry)
            {
                continue;
            }

            var copy = copies[i];
            try
            {
                var read = await StoreWalk.ReadAsync(throttle, tally, entry, () => copy.Objects.GetVersionedAsync(key, cancellationToken), cancellationToken)
                    .ConfigureAwait(false);
                if (read is null)
                {
                    tally.Count("vanished");
                    continue;
                }

                if (ProofEnvelopeCodec.TryReadKeyId(read.Content.Span, out var keyId) && keyId == keys.ActiveKeyId)
                {
                    tally.Count("already.active");
                    continue;
                }

                var sha = Core.Storage.Tombstones.IncarnationOf(read.Content.Span);
                if (resealed is null || resealedFrom != sha)
                {
                    // OPEN (verified) + SEAL under the active key; the gzip bytes are kept as they are.
                    var opened = StoredObjects.Open(codec, read.Content.Span, key, maxRecordBytes).Opened;
                    resealed = codec.Reseal(opened, key).Envelope;
                    resealedFrom = sha;
                }

                if (dryRun)
                {
                    tally.Count("would.reencrypt");
                    continue;
                }

                if (await copy.Objects.TryReplaceAsync(key, resealed, read.Version, cancellationToken).ConfigureAwait(false) is null)
                {
                    tally.Count("changed.concurrently");
                    tally.Report(key, FindingKind.ChangedConcurrently, $"{copy.Role} was written or deleted meanwhile: left as it is now");
                }
                else
                {
                    tally.Count("reencrypted");
                }
            }
            catch (ProofIntegrityException ex)
            {
                tally.Count("unreadable");
                tally.Report(key, FindingKind.Unreadable, $"{copy.Role}: {ex.Kind}: {ex.Message} (run the scrub)");
            }
            catch (StorageUnavailableException ex)
            {
                tally.Count("deferred");
                tally.Report(key, FindingKind.Deferred, $"{copy.Role}: {ex.Message}");
            }
        }
    }
}
