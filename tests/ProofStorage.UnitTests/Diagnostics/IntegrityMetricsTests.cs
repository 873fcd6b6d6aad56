using System.Runtime.CompilerServices;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ProofStorage.Core;
using ProofStorage.Core.Diagnostics;
using ProofStorage.Core.Storage;

namespace ProofStorage.UnitTests.Diagnostics;

/// <summary>
/// <c>proofstorage.integrity.failures</c> exists from the start (so an alert over <c>increase()</c> sees the first
/// failure) and counts damaged objects wherever they are detected, the provider's own checksum included.
/// </summary>
public sealed class IntegrityMetricsTests : IDisposable
{
    private readonly ProofStorageMetrics _metrics = new();

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public void IntegrityFailures_BeforeAnyFailure_AreReportedAsZero()
    {
        using var failures = new MetricCollector<long>(_metrics.Meter, "proofstorage.integrity.failures");

        failures.RecordObservableInstruments();

        Assert.Equal(0, Assert.Single(failures.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task ProviderCall_ObjectFailingTheProvidersChecksum_CountsAnIntegrityFailureInMetricsAndStatistics()
    {
        var statistics = new StorageStatistics(_metrics);
        var instrumented = new InstrumentedStorageProvider(new DamagedObjectProvider(), statistics.ForProvider("primary"));
        using var failures = new MetricCollector<long>(_metrics.Meter, "proofstorage.integrity.failures");

        await Assert.ThrowsAsync<ProofIntegrityException>(() => instrumented.GetAsync("proofs/x", default));
        failures.RecordObservableInstruments();

        Assert.Equal(1, failures.LastMeasurement!.Value);
        Assert.Equal(1, statistics.IntegrityFailures);
        Assert.Equal(1, statistics.Providers.Single().Errors);
    }

    /// <summary>A provider whose every read finds the object damaged (as S3's checksum check reports it).</summary>
    private sealed class DamagedObjectProvider : IStorageProvider
    {
        public string Name => "primary";

        public Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken) =>
            throw new ProofIntegrityException(IntegrityFailureKind.ChecksumMismatch, key, "The object does not match its checksum.");

        public Task<bool> CreateIfAbsentAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }

        public Task<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
