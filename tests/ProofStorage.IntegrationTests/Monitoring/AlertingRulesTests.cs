namespace ProofStorage.IntegrationTests.Monitoring;

/// <summary>
/// The committed Prometheus rules (deploy/prometheus) as Prometheus's own tool reads them: they load, and promtool's
/// unit tests (synthetic series, committed beside them) show every alert firing with its exact labels and
/// annotations and staying quiet where it must. Plus what an on-call operator relies on: a severity, a summary, a
/// description and a runbook that exists.
/// </summary>
public sealed class AlertingRulesTests
{
    private static readonly string[] Severities = ["critical", "warning"];

    [Fact]
    public async Task PromtoolCheckRules_CommittedRuleFiles_AreValid()
    {
        var (exitCode, output) = await MonitoringFiles.PromtoolAsync(["check", "rules", .. MonitoringFiles.RuleFiles]);

        Assert.True(exitCode == 0, "promtool check rules failed:\n" + output);
        Assert.Equal(MonitoringFiles.RuleFiles.Count, output.Split("SUCCESS", StringSplitOptions.None).Length - 1);
    }

    [Fact]
    public async Task PromtoolTestRules_UnitTestsOfTheAlerts_Pass()
    {
        var (exitCode, output) = await MonitoringFiles.PromtoolAsync(["test", "rules", .. MonitoringFiles.RuleTestFiles]);

        Assert.True(exitCode == 0, "promtool test rules failed:\n" + output);
        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);
    }

    [Fact]
    public void RuleTests_ShowEveryAlertFiring()
    {
        var alerts = MonitoringFiles.LoadRules().Where(r => r.Alert is not null).Select(r => r.Alert!).ToList();
        var tested = MonitoringFiles.AlertsShownFiring();

        Assert.NotEmpty(alerts);
        var untested = alerts.Where(a => !tested.Contains(a)).ToList();
        Assert.True(untested.Count == 0, "Alerts no promtool test shows firing: " + string.Join(", ", untested));
        var unknown = tested.Where(t => !alerts.Contains(t)).ToList();
        Assert.True(unknown.Count == 0, "Tests of alerts that do not exist: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Alerts_EachHasASeveritySummaryDescriptionAndARunbookAnchorThatExists()
    {
        var anchors = MonitoringFiles.MarkdownAnchors(MonitoringFiles.OperationsGuide);
        var problems = new List<string>();
        var alerts = MonitoringFiles.LoadRules().Where(r => r.Alert is not null).ToList();
        foreach (var alert in alerts)
        {
            if (!alert.Labels.TryGetValue("severity", out var severity) || !Severities.Contains(severity))
            {
                problems.Add($"{alert.Alert}: severity label missing or not one of {string.Join('/', Severities)}");
            }

            foreach (var annotation in new[] { "summary", "description", "runbook_url" })
            {
                if (!alert.Annotations.TryGetValue(annotation, out var value) || string.IsNullOrWhiteSpace(value))
                {
                    problems.Add($"{alert.Alert}: no {annotation} annotation");
                }
            }

            if (alert.Annotations.TryGetValue("runbook_url", out var runbook))
            {
                var parts = runbook.Split('#', 2);
                if (parts.Length != 2 || parts[0] != "docs/operations.md" || !anchors.Contains(parts[1]))
                {
                    problems.Add($"{alert.Alert}: runbook_url '{runbook}' is not an anchor of a heading in docs/operations.md");
                }
            }
        }

        Assert.NotEmpty(alerts);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Rules_NamesAreUniqueAndRecordingRulesFollowLevelMetricOperations()
    {
        var rules = MonitoringFiles.LoadRules();

        var duplicates = rules.GroupBy(r => r.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "Rules defined twice: " + string.Join(", ", duplicates));
        Assert.All(rules.Where(r => r.Record is not null), r => Assert.Matches("^proofstorage:[a-z0-9_]+:[a-z0-9_]+$", r.Record!));
        Assert.All(rules.Where(r => r.Alert is not null), r => Assert.StartsWith("ProofStorage", r.Alert!, StringComparison.Ordinal));
    }

    [Fact]
    public void MetricNames_OfAnExpression_AreTheSelectedSeriesOnly()
    {
        var names = MonitoringFiles.MetricNames("""
            histogram_quantile(0.99, sum by (le, provider) (rate(proofstorage_provider_operation_duration_seconds_bucket{job="$job", le!="1e3"}[$__rate_interval])))
            / on (job) group_left (instance) (proofstorage:l1_hit_ratio:rate1h offset 1d) > bool 0.5 or vector(1) unless absent(up{job="proofstorage"})
            + label_values(target_info{service_name="x"}, job)
            """);

        Assert.Equal(["proofstorage:l1_hit_ratio:rate1h", "proofstorage_provider_operation_duration_seconds_bucket", "target_info", "up"], names.Order(StringComparer.Ordinal));
    }
}
