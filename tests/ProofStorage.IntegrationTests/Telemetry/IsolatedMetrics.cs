namespace ProofStorage.IntegrationTests.Telemetry;

/// <summary>
/// Tests that read the store's instruments through a host's OpenTelemetry exporter run alone. Every host in this
/// process creates a "ProofStorage" meter, and an OpenTelemetry meter provider subscribes by name: with other hosts
/// alive it can bind the instrument names to another host's meter (and lose them when that host is disposed), so
/// the scrape of the host under test came back without any proofstorage_* series once in a full parallel run.
/// One process holds one host in production, where this cannot happen.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IsolatedMetrics
{
    public const string Name = "Isolated metrics";
}
