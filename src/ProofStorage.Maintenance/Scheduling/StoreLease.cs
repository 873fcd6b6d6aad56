using System.Text.Json;
using ProofStorage.Core.Storage;

namespace ProofStorage.Maintenance.Scheduling;

/// <summary>
/// A lease held in the store itself: the object <c>leases/{name}</c> on the store's first copy, holding its holder and
/// expiry. Taken with create-if-absent, renewed with a conditional replace on the version this holder wrote, and taken over
/// from another holder only once expired, by a conditional replace on the version read: the backend arbitrates every race,
/// so at most one holder at a time, with no consensus of our own. Expiries are compared on each instance's clock: keep the
/// duration well above the clock skew between instances.
/// </summary>
internal sealed class StoreLease(IObjectMaintenance objects, string name, string holder, TimeSpan duration, TimeProvider time)
{
    private string? _version;

    public string Key { get; } = "leases/" + name;

    public string Holder => holder;

    /// <summary>This instance holds the lease (as of its last call).</summary>
    public bool IsHeld => _version is not null;

    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>Renews the lease when held, else takes it when free or expired; returns whether it is held now.</summary>
    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        var expires = time.GetUtcNow() + duration;
        var body = JsonSerializer.SerializeToUtf8Bytes(new LeaseBody(holder, expires));
        if (_version is not null)
        {
            _version = await objects.TryReplaceAsync(Key, body, _version, cancellationToken).ConfigureAwait(false);
            if (_version is not null)
            {
                ExpiresAt = expires;
                return true;
            }
        }

        var current = await objects.GetVersionedAsync(Key, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            _version = await objects.TryCreateAsync(Key, body, cancellationToken).ConfigureAwait(false);
        }
        else if (Read(current.Content) is not { } lease || lease.Holder == holder || lease.ExpiresAt <= time.GetUtcNow())
        {
            _version = await objects.TryReplaceAsync(Key, body, current.Version, cancellationToken).ConfigureAwait(false);
        }

        ExpiresAt = _version is null ? default : expires;
        return _version is not null;
    }

    /// <summary>Gives the lease up (deletes it if still this holder's version), so another instance need not wait for the expiry.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (_version is { } version)
        {
            _version = null;
            await objects.TryDeleteAsync(Key, version, cancellationToken).ConfigureAwait(false);
        }
    }

    private static LeaseBody? Read(ReadOnlyMemory<byte> content)
    {
        try
        {
            return JsonSerializer.Deserialize<LeaseBody>(content.Span);
        }
        catch (JsonException)
        {
            // Not a lease this code wrote: treated as expired, so it cannot block the scrub forever.
            return null;
        }
    }

    private sealed record LeaseBody(string Holder, DateTimeOffset ExpiresAt);
}
