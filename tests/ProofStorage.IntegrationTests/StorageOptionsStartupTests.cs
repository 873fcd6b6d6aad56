namespace ProofStorage.IntegrationTests;

/// <summary>
/// Provider sections are options like any other: a bad one stops the service's start-up validation (ValidateOnStart)
/// with a message naming the setting, in either slot, before any provider is built.
/// </summary>
public sealed class StorageOptionsStartupTests
{
    private const string Primary = "ProofStorage:Storage:Primary:";
    private const string Secondary = "ProofStorage:Storage:Secondary:";

    [Fact]
    public void FileSystemSectionWithAMisspeltKey_StopsStartUpNamingIt()
    {
        var error = StartUpError((Primary + "Type", "FileSystem"), (Primary + "Folder", "/srv/proofs"));

        Assert.Contains("ProofStorage:Storage:Primary: unknown setting(s) Folder; known: FlushToDisk, Path, Type.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void FileSystemDefaultPrimaryWithAMisspeltKey_StopsStartUpToo()
    {
        Assert.Contains("unknown setting(s) FlushToDsk", StartUpError((Primary + "FlushToDsk", "false")), StringComparison.Ordinal);
    }

    [Fact]
    public void R2SecondaryWithoutAnAccount_StopsStartUp()
    {
        var error = StartUpError((Secondary + "Type", "R2"), (Secondary + "Bucket", "proofs"));

        Assert.Contains("ProofStorage:Storage:Secondary: an R2 provider needs AccountId (or ServiceUrl).", error, StringComparison.Ordinal);
    }

    [Fact]
    public void S3PrimaryWithAMisspeltCredentialKey_StopsStartUpWithoutEchoingTheSecret()
    {
        var error = StartUpError((Primary + "Type", "S3"), (Primary + "Bucket", "proofs"), (Primary + "AccessKey", "id"),
            (Primary + "SecretAccessKey", "hunter2"));

        Assert.Contains("unknown setting(s) AccessKey;", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownProviderType_StopsStartUpListingTheRegisteredTypes()
    {
        var error = StartUpError((Secondary + "Type", "Azure"));

        Assert.Contains("ProofStorage:Storage:Secondary:Type is 'Azure', which is not a registered storage provider type (registered: FileSystem, S3, R2).",
            error, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidPair_PassesStartUpValidation()
    {
        using var factory = new ProofStorageApiFactory();
        factory.Settings[Secondary + "Type"] = "R2";
        factory.Settings[Secondary + "AccountId"] = "0123456789abcdef";
        factory.Settings[Secondary + "Bucket"] = "proofs";

        Assert.Null(factory.ValidateStartup());
    }

    /// <summary>The message start-up validation stops the service with, given these settings; fails the test if it passes.</summary>
    private static string StartUpError(params (string Key, string Value)[] settings)
    {
        using var factory = new ProofStorageApiFactory();
        foreach (var (key, value) in settings)
        {
            factory.Settings[key] = value;
        }

        var error = factory.ValidateStartup();
        Assert.NotNull(error);
        return error.Message;
    }
}
