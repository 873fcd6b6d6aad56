using System.Text.Json;
using System.Text.RegularExpressions;
using ProofStorage.Testing;
using YamlDotNet.RepresentationModel;

namespace ProofStorage.IntegrationTests.Monitoring;

/// <summary>One rule of a Prometheus rule file (a recording rule has <see cref="Record"/>, an alert <see cref="Alert"/>).</summary>
internal sealed record PrometheusRule(
    string File, string Group, string? Record, string? Alert, string Expr, string? For,
    IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
{
    public string Name => Record ?? Alert!;
}

/// <summary>One query of the Grafana dashboard: a panel target or a template variable's query.</summary>
internal sealed record DashboardQuery(string Where, string Expr);

/// <summary>The committed monitoring files (deploy/prometheus, deploy/grafana) read as data, and promtool.</summary>
internal static partial class MonitoringFiles
{
    public static string Root { get; } = FindRoot();

    public static string PrometheusFolder => Path.Combine(Root, "deploy", "prometheus");

    /// <summary>The rule files an operator loads (every <c>*-rules.yml</c> beside the README's scrape config).</summary>
    public static IReadOnlyList<string> RuleFiles =>
        [.. Directory.EnumerateFiles(PrometheusFolder, "*-rules.yml").Order(StringComparer.Ordinal)];

    /// <summary>The promtool unit-test files of the rules.</summary>
    public static IReadOnlyList<string> RuleTestFiles =>
        [.. Directory.EnumerateFiles(Path.Combine(PrometheusFolder, "tests"), "*.test.yml").Order(StringComparer.Ordinal)];

    public static string Dashboard => Path.Combine(Root, "deploy", "grafana", "proofstorage.json");

    public static string OperationsGuide => Path.Combine(Root, "docs", "operations.md");

    public static IReadOnlyList<PrometheusRule> LoadRules()
    {
        var rules = new List<PrometheusRule>();
        foreach (var file in RuleFiles)
        {
            var yaml = LoadYaml(file);
            foreach (var group in Sequence(yaml, "groups"))
            {
                var groupName = Scalar(group, "name") ?? throw new InvalidOperationException($"{file}: a group has no name");
                foreach (var rule in Sequence(group, "rules"))
                {
                    rules.Add(new PrometheusRule(Path.GetFileName(file), groupName, Scalar(rule, "record"), Scalar(rule, "alert"),
                        Scalar(rule, "expr") ?? throw new InvalidOperationException($"{file}: a rule in {groupName} has no expr"),
                        Scalar(rule, "for"), Map(rule, "labels"), Map(rule, "annotations")));
                }
            }
        }

        return rules;
    }

    /// <summary>The alert names the promtool test files test (<c>alert_rule_test[].alertname</c>) with at least one expected alert.</summary>
    public static IReadOnlySet<string> AlertsShownFiring()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in RuleTestFiles)
        {
            foreach (var test in Sequence(LoadYaml(file), "tests"))
            {
                foreach (var check in Sequence(test, "alert_rule_test"))
                {
                    if (Scalar(check, "alertname") is { } name && Sequence(check, "exp_alerts").Any())
                    {
                        names.Add(name);
                    }
                }
            }
        }

        return names;
    }

    /// <summary>Every query of the dashboard: each panel target's <c>expr</c> and each query variable's query.</summary>
    public static IReadOnlyList<DashboardQuery> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Dashboard));
        var queries = new List<DashboardQuery>();
        foreach (var panel in Panels(dashboard.RootElement))
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                foreach (var target in targets.EnumerateArray())
                {
                    queries.Add(new DashboardQuery($"panel '{panel.GetProperty("title").GetString()}'", target.GetProperty("expr").GetString()!));
                }
            }
        }

        foreach (var variable in dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                queries.Add(new DashboardQuery($"variable '{variable.GetProperty("name").GetString()}'",
                    variable.GetProperty("query").GetProperty("query").GetString()!));
            }
        }

        return queries;
    }

    /// <summary>Every panel, rows' nested panels included.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>
    /// The metric names a PromQL expression (or a Grafana query over it) selects. Strings, label matchers, ranges,
    /// grouping label lists, numbers, Grafana variables, keywords and function names are not metric names; Grafana's
    /// <c>label_values(metric, label)</c> selects its first argument only.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string expr)
    {
        var text = LabelValues().Replace(expr, m => m.Groups["metric"].Value);
        text = StringLiteral().Replace(text, " ");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = GroupingClause().Replace(text, " ");
        text = GrafanaVariable().Replace(text, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match token in Identifier().Matches(text))
        {
            var name = token.Value;
            var rest = text.AsSpan(token.Index + token.Length).TrimStart();
            if (rest.Length > 0 && rest[0] == '(' || Keywords.Contains(name))
            {
                continue;
            }

            names.Add(name);
        }

        return names;
    }

    /// <summary>The metric names of a scrape in the text exposition format.</summary>
    public static IReadOnlySet<string> ScrapedNames(string scrape) =>
        scrape.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SeriesName().Match(line).Value)
            .Where(name => name.Length > 0)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>GitHub's anchor for each Markdown heading of a file (lower case, punctuation dropped, spaces to hyphens; code blocks skipped).</summary>
    public static IReadOnlySet<string> MarkdownAnchors(string file)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var inCode = false;
        foreach (var line in File.ReadLines(file))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
            }

            var heading = Heading().Match(line);
            if (inCode || !heading.Success)
            {
                continue;
            }

            var slug = AnchorPunctuation().Replace(heading.Groups[1].Value.Trim().ToLowerInvariant(), string.Empty).Replace(' ', '-');
            var candidate = slug;
            for (var n = 1; !anchors.Add(candidate); n++)
            {
                candidate = $"{slug}-{n}";
            }
        }

        return anchors;
    }

    /// <summary>Runs promtool with the arguments from the repository root; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] args)
    {
        // Generous: promtool evaluates every rule at every step of the test series, on a shared 2-core machine.
        var (exitCode, output, errors) = await TestProcesses.RunAsync("promtool", args, Root, TimeSpan.FromMinutes(10),
            "run `bash scripts/install-test-deps.sh` (apt-get install prometheus).");
        return (exitCode, output + errors);
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan", "Inf", "NaN",
    };

    private static YamlMappingNode LoadYaml(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<YamlMappingNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlMappingNode>()
            : [];

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlScalarNode scalar ? scalar.Value : null;

    private static Dictionary<string, string> Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode map
            ? map.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ProofStorage.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ProofStorage.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("""label_values\(\s*(?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{[^}]*\})?\s*,?\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)""")]
    private static partial Regex LabelValues();

    [GeneratedRegex("""
        "(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`
        """)]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\[\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")]
    private static partial Regex GroupingClause();

    [GeneratedRegex(@"\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?")]
    private static partial Regex GrafanaVariable();

    // An identifier not glued to a number (1e3, 5m, 0x1F) or to another identifier.
    [GeneratedRegex(@"(?<![a-zA-Z0-9_:.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SeriesName();

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd}\- _]")]
    private static partial Regex AnchorPunctuation();
}
