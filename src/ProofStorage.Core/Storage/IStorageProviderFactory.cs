using Microsoft.Extensions.Configuration;

namespace ProofStorage.Core.Storage;

/// <summary>
/// Creates providers of one type (<c>FileSystem</c>, <c>S3</c>, <c>R2</c>…) from a configuration section such
/// as <c>ProofStorage:Storage:Primary</c>. Each provider project registers its factory with its <c>Add*</c> method.
/// </summary>
public interface IStorageProviderFactory
{
    /// <summary>The value of <c>Type</c> in configuration this factory answers to (case-insensitive).</summary>
    string Type { get; }

    /// <summary>Validates the section and creates the provider; throws with an operator-readable message when invalid.</summary>
    IStorageProvider Create(string name, IConfigurationSection section);
}
