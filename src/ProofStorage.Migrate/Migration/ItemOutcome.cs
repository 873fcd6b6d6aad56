using System.Text.Json.Serialization;

namespace ProofStorage.Migrate.Migration;

/// <summary>What happened to the proof of one source item.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ItemStatus>))]
internal enum ItemStatus
{
    /// <summary>A new proof was written (in a dry run: would be).</summary>
    Migrated,

    /// <summary>The image already had a proof: nothing new was written, the legacy id became an alias of it.</summary>
    Deduplicated,

    /// <summary>The item is malformed or invalid and was not migrated; running again does not change that.</summary>
    Skipped,

    /// <summary>The item could not be migrated (storage unavailable after retries, integrity failure); retried on the next run.</summary>
    Failed,
}

/// <summary>What reading the migrated proof back found.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VerifyStatus>))]
internal enum VerifyStatus
{
    NotChecked,

    /// <summary>The id resolves through the normal read path to the expected proof, byte for byte.</summary>
    Verified,

    /// <summary>The id does not resolve.</summary>
    Missing,

    /// <summary>The stored object fails integrity checks, resolves to another proof, or its proof bytes differ.</summary>
    Corrupted,
}

/// <summary>The outcome of one source item.</summary>
/// <param name="Name">The item's name in the source (file name, object key).</param>
/// <param name="LegacyId">The old id registered as an alias, if any.</param>
/// <param name="ProofId">The proof id in the target.</param>
/// <param name="Status">What happened to the proof.</param>
/// <param name="Verification">What reading it back found (with <c>--verify</c>).</param>
/// <param name="Superseded">
/// A duplicate whose own proof bytes differ from the proof kept for its image (an earlier record won). Its legacy id
/// resolves to the kept proof; the item is never deleted from the source because its exact bytes are not in the target.
/// </param>
/// <param name="Deleted">Removed from the source (with <c>--delete-after</c>, after verification).</param>
/// <param name="Reason">Why the item is skipped or failed, or why verification or deletion did not succeed.</param>
internal sealed record ItemOutcome(
    string Name,
    string? LegacyId,
    string? ProofId,
    ItemStatus Status,
    VerifyStatus Verification,
    bool Superseded,
    bool Deleted,
    string? Reason)
{
    /// <summary>Anything that keeps the run from being a full success.</summary>
    [JsonIgnore]
    public bool IsProblem => Status is ItemStatus.Skipped or ItemStatus.Failed || Verification is VerifyStatus.Missing or VerifyStatus.Corrupted || Reason is not null;

    /// <summary>Problems worth another attempt (everything except an invalid record).</summary>
    [JsonIgnore]
    public bool IsRetryable => IsProblem && Status != ItemStatus.Skipped;
}
