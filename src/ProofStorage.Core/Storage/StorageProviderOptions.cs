using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ProofStorage.Core.Storage;

/// <summary>
/// What every provider section has: the provider type. Each type's options derive from it and are bound, per
/// storage slot, as named options (the name is the slot: <c>Primary</c>, <c>Secondary</c>).
/// <code>
/// "ProofStorage": { "Storage": { "Primary": { "Type": "FileSystem", … } } }
/// </code>
/// </summary>
public class StorageProviderOptions
{
    /// <summary>The provider type (<c>FileSystem</c>, <c>S3</c>, <c>R2</c>), as registered by the provider projects.</summary>
    public string Type { get; set; } = StorageProviderBuilder.DefaultType;

    /// <summary>True when this section is of <paramref name="type"/> (case-insensitive, as configuration is).</summary>
    public bool IsType(string type) => string.Equals(Type, type, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Validates one provider type's options in each storage slot whose <c>Type</c> is that type (a slot of another type,
/// or an absent <c>Secondary</c>, is skipped): first every key of the section must be a setting of
/// <typeparamref name="TOptions"/> — a misspelt key (say <c>AccessKey</c> for <c>AccessKeyId</c>) would otherwise be
/// ignored silently, and the provider would fall back to a default — then the type's own cross-field rules.
/// </summary>
/// <typeparam name="TOptions">The options of the provider type.</typeparam>
public abstract class StorageProviderOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : StorageProviderOptions
{
    private readonly IConfiguration _configuration;
    private readonly string[] _types;
    private readonly HashSet<string> _known =
        typeof(TOptions).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <param name="configuration">The configuration the options are bound from (its keys are checked).</param>
    /// <param name="types">The <c>Type</c> values these options serve.</param>
    protected StorageProviderOptionsValidator(IConfiguration configuration, params string[] types)
    {
        _configuration = configuration;
        _types = types;
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name is null || !StorageProviderBuilder.Slots.Contains(name, StringComparer.Ordinal) || !_types.Any(options.IsType)
            || !StorageProviderBuilder.IsConfigured(_configuration, name))
        {
            return ValidateOptionsResult.Skip;
        }

        var section = _configuration.GetSection(StorageProviderBuilder.SectionPath(name));
        var failures = new List<string>();
        var unknown = section.GetChildren().Select(c => c.Key).Where(k => !_known.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            failures.Add($"{section.Path}: unknown setting(s) {string.Join(", ", unknown)}; known: {string.Join(", ", _known.Order(StringComparer.Ordinal))}.");
        }

        failures.AddRange(ValidateSettings(section.Path, options));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The type's own rules; each failure names the setting (<c>{path}:Bucket is required.</c>) and never a secret value.</summary>
    /// <param name="path">The section's path, for messages.</param>
    /// <param name="options">The bound options.</param>
    protected abstract IEnumerable<string> ValidateSettings(string path, TOptions options);
}

/// <summary>Each configured slot names a registered provider type.</summary>
internal sealed class StorageProviderTypeValidator(IConfiguration configuration, IEnumerable<IStorageProviderFactory> factories)
    : IValidateOptions<StorageProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageProviderOptions options)
    {
        if (name is null || !StorageProviderBuilder.Slots.Contains(name, StringComparer.Ordinal) || !StorageProviderBuilder.IsConfigured(configuration, name))
        {
            return ValidateOptionsResult.Skip;
        }

        var types = factories.Select(f => f.Type).ToList();
        return types.Any(options.IsType)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{StorageProviderBuilder.SectionPath(name)}:Type is '{options.Type}', which is not a registered storage provider type (registered: {string.Join(", ", types)}).");
    }
}
