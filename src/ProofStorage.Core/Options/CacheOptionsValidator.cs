using Microsoft.Extensions.Options;

namespace ProofStorage.Core.Options;

/// <summary>The rules of <see cref="CacheOptions"/>, with messages an operator can act on.</summary>
internal sealed class CacheOptionsValidator : IValidateOptions<CacheOptions>
{
    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MemorySizeLimitBytes < 0)
        {
            failures.Add($"ProofStorage:Cache:MemorySizeLimitBytes is {options.MemorySizeLimitBytes}: give the in-memory cache's byte budget, " +
                "0 or more (e.g. 67108864 for 64 MiB).");
        }

        if (options.MemoryDuration <= TimeSpan.Zero)
        {
            failures.Add($"ProofStorage:Cache:MemoryDuration is {options.MemoryDuration}: it must be longer than zero (e.g. \"01:00:00\"), " +
                "since an entry that expires at once makes the in-memory cache useless. To keep less in memory, lower MemorySizeLimitBytes.");
        }

        if (options.NegativeDuration is { } negative && negative < TimeSpan.Zero)
        {
            failures.Add($"ProofStorage:Cache:NegativeDuration is {negative}: use \"00:00:00\" to turn negative lookups off, " +
                "a positive duration (e.g. \"00:00:03\") to remember them, or leave it unset for the default.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
