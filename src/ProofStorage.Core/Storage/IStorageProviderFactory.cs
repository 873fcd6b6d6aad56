namespace ProofStorage.Core.Storage;

/// <summary>
/// Creates providers of one type (<c>FileSystem</c>, <c>S3</c>, <c>R2</c>…) for a storage slot such as
/// <c>ProofStorage:Storage:Primary</c>. Each provider project registers its factory, and its options with
/// <see cref="StorageProviderBuilder.AddStorageProviderOptions{TOptions, TValidator}"/>, in its <c>Add*</c> method.
/// </summary>
public interface IStorageProviderFactory
{
    /// <summary>The value of <c>Type</c> in configuration this factory answers to (case-insensitive).</summary>
    string Type { get; }

    /// <summary>
    /// Creates the provider configured in <paramref name="slot"/> (<c>Primary</c>, <c>Secondary</c>) under
    /// <paramref name="name"/>. Its options are the ones named <paramref name="slot"/>: reading them validates them,
    /// so an invalid section throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> here too,
    /// with the same messages as at start-up.
    /// </summary>
    IStorageProvider Create(string name, string slot);

    /// <summary>
    /// Whether the providers this factory creates have the optional capability <typeparamref name="TCapability"/>
    /// (what <see cref="IStorageProvider.GetCapability{T}"/> would find on them), so configuration that needs one can be
    /// validated at start-up without building a provider.
    /// </summary>
    bool Provides<TCapability>()
        where TCapability : class => false;
}
