using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProofStorage.Core.Diagnostics;

namespace ProofStorage.Api.Telemetry;

/// <summary>
/// Keeps the last background evaluation of the readiness checks for the <c>proofstorage.health.status</c> gauge, so
/// alerts see readiness whether or not an orchestrator probes <c>/health/ready</c>. The host's health check service
/// runs the checks tagged <c>ready</c> on the <see cref="HealthCheckPublisherOptions"/> schedule (first after 5 s,
/// then every 30 s): the same cheap checks a readiness probe runs.
/// </summary>
internal sealed class HealthStatusPublisher : IHealthCheckPublisher
{
    private volatile KeyValuePair<string, int>[] _statuses = [];

    public HealthStatusPublisher(ProofStorageMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics.ObserveHealth(() => _statuses);
    }

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        _statuses = [.. report.Entries.Select(e => new KeyValuePair<string, int>(e.Key, (int)e.Value.Status))];
        return Task.CompletedTask;
    }
}
