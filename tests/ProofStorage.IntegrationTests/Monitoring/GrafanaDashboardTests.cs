using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace ProofStorage.IntegrationTests.Monitoring;

/// <summary>
/// The Grafana dashboard (deploy/grafana) without a Grafana to load it: the JSON is a provisionable dashboard (uid,
/// no instance-specific id, every panel on the templated Prometheus data source, every query variable defined), and
/// the provisioning file loads it. That its queries name series the service exports is checked against a live
/// scrape in <see cref="LivePrometheusTests"/>.
/// </summary>
public sealed partial class GrafanaDashboardTests
{
    [Fact]
    public void Dashboard_IsProvisionableJson()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(MonitoringFiles.Dashboard));
        var dashboard = document.RootElement;

        Assert.Equal("proofstorage", dashboard.GetProperty("uid").GetString());
        Assert.False(string.IsNullOrWhiteSpace(dashboard.GetProperty("title").GetString()));
        Assert.True(dashboard.GetProperty("schemaVersion").GetInt32() >= 30);
        // A provisioned dashboard is matched by uid; a numeric id from another Grafana would clash.
        Assert.True(!dashboard.TryGetProperty("id", out var id) || id.ValueKind == JsonValueKind.Null);
        var panels = MonitoringFiles.Panels(dashboard).ToList();
        var ids = panels.Select(p => p.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(panels.Where(p => p.GetProperty("type").GetString() != "row"), panel =>
        {
            var title = panel.GetProperty("title").GetString();
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.False(string.IsNullOrWhiteSpace(panel.GetProperty("description").GetString()), $"panel '{title}' has no description");
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            Assert.All(targets, t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString()), $"panel '{title}' has an empty query"));
            Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
            var grid = panel.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
        });
    }

    [Fact]
    public void Dashboard_EveryVariableItsQueriesUseIsDefined()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(MonitoringFiles.Dashboard));
        var defined = document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Select(v => v.GetProperty("name").GetString()!).ToHashSet(StringComparer.Ordinal);

        var used = MonitoringFiles.DashboardQueries()
            .SelectMany(q => Variable().Matches(q.Expr).Select(m => (q.Where, Name: m.Groups[1].Value)))
            .Where(u => !u.Name.StartsWith("__", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(used, u => u.Name == "job");
        var undefined = used.Where(u => !defined.Contains(u.Name)).Select(u => $"{u.Where}: ${u.Name}").Distinct().ToList();
        Assert.True(undefined.Count == 0, "Variables used but not defined: " + string.Join(", ", undefined));
        Assert.Contains("datasource", defined);
    }

    [Fact]
    public void Provisioning_LoadsTheDashboardFolderFromFiles()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(MonitoringFiles.Root, "deploy", "grafana", "provisioning", "dashboards", "proofstorage.yaml")))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal("1", ((YamlScalarNode)root["apiVersion"]).Value);
        var provider = (YamlMappingNode)((YamlSequenceNode)root["providers"]).Children.Single();
        Assert.Equal("file", ((YamlScalarNode)provider["type"]).Value);
        var path = ((YamlScalarNode)((YamlMappingNode)provider["options"])["path"]).Value;
        Assert.False(string.IsNullOrWhiteSpace(path));

        var datasources = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(MonitoringFiles.Root, "deploy", "grafana", "provisioning", "datasources", "prometheus.yaml")))
        {
            datasources.Load(reader);
        }

        var source = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)datasources.Documents[0].RootNode)["datasources"]).Children.Single();
        Assert.Equal("prometheus", ((YamlScalarNode)source["type"]).Value);
    }

    [GeneratedRegex(@"\$\{?([a-zA-Z_][a-zA-Z0-9_]*)")]
    private static partial Regex Variable();
}
