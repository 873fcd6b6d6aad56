using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace ProofStorage.EndToEndTests.Deployment;

/// <summary>docker-compose.yml and the Dockerfile as data, read the way compose and docker read them (for the parts the tests check).</summary>
internal static partial class DeploymentFiles
{
    public static string ComposePath => Path.Combine(RepositoryPaths.Root, "docker-compose.yml");

    public static string DockerfilePath => Path.Combine(RepositoryPaths.Root, "Dockerfile");

    /// <summary>The compose document with YAML merge keys (<c>&lt;&lt;: *anchor</c>) applied, as compose applies them.</summary>
    public static Dictionary<object, object> LoadCompose(string? text = null)
    {
        using var reader = new StringReader(text ?? File.ReadAllText(ComposePath));
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
    }

    public static Dictionary<object, object> Service(Dictionary<object, object> compose, string name) =>
        Map(Map(compose["services"])[name]);

    public static Dictionary<object, object> Map(object? node) =>
        node as Dictionary<object, object> ?? throw new InvalidOperationException($"Expected a mapping, found {node?.GetType().Name ?? "nothing"}.");

    /// <summary>A service's <c>environment</c> in either compose form (mapping or <c>KEY=value</c> list), values not yet interpolated.</summary>
    public static Dictionary<string, string> Environment(Dictionary<object, object> service)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (service.GetValueOrDefault("environment"))
        {
            case Dictionary<object, object> map:
                foreach (var (key, value) in map)
                {
                    result[(string)key] = value as string ?? string.Empty;
                }

                break;
            case List<object> list:
                foreach (var entry in list.Cast<string>())
                {
                    var equals = entry.IndexOf('=', StringComparison.Ordinal);
                    result[equals < 0 ? entry : entry[..equals]] = equals < 0 ? string.Empty : entry[(equals + 1)..];
                }

                break;
        }

        return result;
    }

    /// <summary>
    /// Compose's variable interpolation: <c>${NAME}</c>, <c>${NAME:-default}</c>, <c>${NAME:?error}</c>, <c>$$</c>.
    /// A variable neither in <paramref name="variables"/> nor defaulted is an error, as <c>:?</c> makes it in compose.
    /// </summary>
    public static string Interpolate(string value, IReadOnlyDictionary<string, string> variables) =>
        Variable().Replace(value, match =>
        {
            if (match.Value == "$$")
            {
                return "$";
            }

            var name = match.Groups["name"].Value;
            if (variables.TryGetValue(name, out var set))
            {
                return set;
            }

            return match.Groups["op"].Value switch
            {
                ":-" or "-" => match.Groups["arg"].Value,
                _ => throw new InvalidOperationException($"${{{name}}} is required ({match.Groups["arg"].Value}) and the test gave no value for it."),
            };
        });

    /// <summary>Arguments of the exec-form (JSON array) <c>HEALTHCHECK … CMD [...]</c> of the Dockerfile.</summary>
    public static string[] DockerfileHealthCheck()
    {
        var instruction = Instructions().Single(i => i.StartsWith("HEALTHCHECK ", StringComparison.OrdinalIgnoreCase));
        var cmd = instruction.IndexOf(" CMD ", StringComparison.Ordinal);
        Assert.True(cmd > 0, "HEALTHCHECK has no CMD: " + instruction);
        return JsonSerializer.Deserialize<string[]>(instruction[(cmd + 5)..].Trim())
            ?? throw new InvalidOperationException("HEALTHCHECK CMD is not an exec-form JSON array: " + instruction);
    }

    /// <summary>Names set by <c>ENV</c> in the Dockerfile's final stage (<c>ENV A=1 B=2</c> form).</summary>
    public static Dictionary<string, string> DockerfileEnvironment()
    {
        var instructions = Instructions();
        var lastFrom = instructions.FindLastIndex(i => i.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase));
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instruction in instructions.Skip(lastFrom).Where(i => i.StartsWith("ENV ", StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var pair in instruction[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                Assert.True(equals > 0, "Use the ENV NAME=value form: " + instruction);
                result[pair[..equals]] = pair[(equals + 1)..];
            }
        }

        return result;
    }

    /// <summary>Instructions with line continuations joined and comments dropped.</summary>
    private static List<string> Instructions()
    {
        var instructions = new List<string>();
        var current = string.Empty;
        foreach (var raw in File.ReadAllLines(DockerfilePath))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            current += line.EndsWith('\\') ? line[..^1] + " " : line;
            if (!line.EndsWith('\\'))
            {
                instructions.Add(Spaces().Replace(current, " ").Trim());
                current = string.Empty;
            }
        }

        return instructions;
    }

    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?])(?<arg>[^}]*))?\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
