using System.Reflection;
using Microsoft.Extensions.Logging;

namespace ProofStorage.UnitTests.Diagnostics;

/// <summary>
/// Log event ids are how operators filter and alert on events, so each one names one event across the whole service:
/// every <c>[LoggerMessage]</c> of every ProofStorage assembly has an id no other event has, inside its project's range.
/// </summary>
public sealed class LogEventIdTests
{
    /// <summary>The ranges of <c>docs/operations.md#log-events</c>; a new project takes the next free thousand there and here.</summary>
    private static readonly Dictionary<string, (int First, int Last)> Ranges = new(StringComparer.Ordinal)
    {
        ["ProofStorage.Core"] = (1000, 1999),
        ["ProofStorage.Api"] = (2000, 2999),
        ["ProofStorage.Providers.S3"] = (3000, 3999),
        ["ProofStorage.Caching.Redis"] = (4000, 4999),
        ["ProofStorage.Migrate"] = (5000, 5999),
        ["ProofStorage.Providers.FileSystem"] = (6000, 6999),
        ["ProofStorage.Storage.Failover"] = (7000, 7999),
        ["ProofStorage.Maintenance"] = (8000, 8999),
    };

    [Fact]
    public void EveryServiceAssembly_IsExamined()
    {
        var examined = ServiceAssemblies().Select(a => a.GetName().Name!).ToList();

        Assert.All(Ranges.Keys, name => Assert.Contains(name, examined));
        Assert.All(examined, name => Assert.True(Ranges.ContainsKey(name),
            $"{name} has no log event range: give it the next free thousand in docs/operations.md#log-events and in {nameof(LogEventIdTests)}."));
    }

    [Fact]
    public void Ranges_DoNotOverlap()
    {
        var ordered = Ranges.OrderBy(r => r.Value.First).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            Assert.True(ordered[i - 1].Value.Last < ordered[i].Value.First, $"{ordered[i - 1].Key} and {ordered[i].Key} overlap.");
        }
    }

    [Fact]
    public void EveryLoggerMessage_HasAUniqueIdInsideItsProjectsRange()
    {
        var events = ServiceAssemblies().SelectMany(EventsOf).ToList();

        // The reflection must see the events at all (source-generated partial methods keep their attribute).
        Assert.True(events.Count >= 30, $"only {events.Count} [LoggerMessage] methods found");
        var duplicates = events.GroupBy(e => e.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}").ToList();
        Assert.True(duplicates.Count == 0, "event ids used twice: " + string.Join("; ", duplicates));
        var outside = events.Where(e => !Ranges.TryGetValue(e.Assembly, out var range) || e.Id < range.First || e.Id > range.Last)
            .Select(e => $"{e.Name} = {e.Id}").ToList();
        Assert.True(outside.Count == 0, "event ids outside their project's range: " + string.Join("; ", outside));
    }

    /// <summary>Every ProofStorage assembly the tests were built with, except the test assemblies themselves.</summary>
    private static IEnumerable<Assembly> ServiceAssemblies() =>
        Directory.GetFiles(AppContext.BaseDirectory, "ProofStorage.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => !name!.EndsWith("Tests", StringComparison.Ordinal) && name != "ProofStorage.Testing")
            .Order(StringComparer.Ordinal)
            .Select(name => Assembly.Load(new AssemblyName(name!)));

    private static IEnumerable<LogEvent> EventsOf(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select new LogEvent(assembly.GetName().Name!, $"{type.FullName}.{method.Name}", attribute.EventId);

    private sealed record LogEvent(string Assembly, string Name, int Id);
}
