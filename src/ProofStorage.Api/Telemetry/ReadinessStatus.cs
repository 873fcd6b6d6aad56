using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProofStorage.Core.Diagnostics;

namespace ProofStorage.Api.Telemetry;

/// <summary>
/// The answer of the last readiness probe (<c>GET /health/ready</c>), per check, for the <c>proofstorage.health.status</c>
/// gauge: what the orchestrator saw, at no extra cost (no background checks: a storage probe can be a billed request,
/// and it would race whatever else uses the store). Nothing is reported before the first probe.
/// </summary>
internal sealed class ReadinessStatus
{
    private volatile KeyValuePair<string, int>[] _statuses = [];

    public ReadinessStatus(ProofStorageMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics.ObserveHealth(() => _statuses);
    }

    public void Record(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _statuses = [.. report.Entries.Select(e => new KeyValuePair<string, int>(e.Key, (int)e.Value.Status))];
    }
}
