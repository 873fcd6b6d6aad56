using System.Collections;
using System.Reflection;
using ProofStorage.Api;
using ProofStorage.Api.Security;
using ProofStorage.Caching.Redis;
using ProofStorage.Core.Access;
using ProofStorage.Core.Options;
using ProofStorage.Core.Storage;
using ProofStorage.Providers.FileSystem;
using ProofStorage.Providers.S3;
using ProofStorage.Storage.Failover;

namespace ProofStorage.EndToEndTests.Deployment;

/// <summary>
/// Which configuration keys the service binds, derived by reflection from its options classes (their
/// <c>SectionName</c> constants and public settable properties), so a key that binds to nothing — a typo the
/// configuration binder would ignore silently — can be named. Keys compare case-insensitively, as configuration does.
/// </summary>
internal static class OptionsSchema
{
    private const string StorageSection = StorageProviderBuilder.SectionName;

    /// <summary>Storage slots <see cref="StorageProviderBuilder"/> reads; each names its provider by <c>Type</c>.</summary>
    private static readonly string[] StorageSlots = ["Primary", "Secondary"];

    /// <summary>Provider type (the <c>Type</c> value) → the options its factory binds.</summary>
    private static readonly Dictionary<string, Type> ProviderOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["FileSystem"] = typeof(FileSystemStorageOptions),
        ["S3"] = typeof(S3StorageOptions),
        ["R2"] = typeof(S3StorageOptions),
    };

    /// <summary>Every options class bound with <c>BindConfiguration(SectionName)</c>, longest section first.</summary>
    private static readonly (string Section, Type Type)[] Sections = new[]
        {
            typeof(ProofStorageOptions), typeof(EncryptionOptions), typeof(CacheOptions), typeof(FailoverOptions),
            typeof(RedisProofCacheOptions), typeof(AccessTrackingOptions), typeof(ApiOptions), typeof(AuthOptions), typeof(RateLimitOptions), typeof(OverloadOptions),
            typeof(ManifestCorsOptions),
            typeof(ProofStorage.Maintenance.Scheduling.ScrubOptions),
        }
        .Select(t => ((string)t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!, t))
        .OrderByDescending(s => s.Item1.Length)
        .ToArray();

    /// <summary>
    /// Null when <paramref name="key"/> (colon-separated) binds to an option property; otherwise why not.
    /// <paramref name="configuration"/> holds every key of the same source, for the provider <c>Type</c> of a storage slot.
    /// </summary>
    public static string? Explain(string key, IReadOnlyDictionary<string, string?> configuration)
    {
        var segments = key.Split(':');
        var storage = StorageSection.Split(':');
        if (segments.Length > storage.Length && StartsWith(segments, storage))
        {
            var slot = segments[storage.Length];
            if (string.Equals(slot, "Failover", StringComparison.OrdinalIgnoreCase))
            {
                return Walk(typeof(FailoverOptions), segments[(storage.Length + 1)..], key);
            }

            if (!StorageSlots.Contains(slot, StringComparer.OrdinalIgnoreCase))
            {
                return $"{key}: '{slot}' is not a storage slot; known: {string.Join(", ", StorageSlots.Append("Failover"))}.";
            }

            var rest = segments[(storage.Length + 1)..];
            if (rest is [var only] && string.Equals(only, "Type", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var typeKey = configuration.Keys.FirstOrDefault(k => string.Equals(k, $"{StorageSection}:{slot}:Type", StringComparison.OrdinalIgnoreCase));
            var type = typeKey is null ? StorageProviderBuilder.DefaultType : configuration[typeKey] ?? StorageProviderBuilder.DefaultType;
            return ProviderOptions.TryGetValue(type, out var options)
                ? Walk(options, rest, key)
                : $"{key}: provider type '{type}' is unknown; known: {string.Join(", ", ProviderOptions.Keys)}.";
        }

        foreach (var (section, type) in Sections)
        {
            var prefix = section.Split(':');
            if (StartsWith(segments, prefix))
            {
                return Walk(type, segments[prefix.Length..], key);
            }
        }

        return $"{key}: not under any options section ({string.Join(", ", Sections.Select(s => s.Section).Order(StringComparer.Ordinal))}).";
    }

    private static string? Walk(Type type, string[] segments, string key)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (segments.Length == 0)
        {
            return IsScalar(underlying) ? null : $"{key}: names a section of type {underlying.Name}, not a value.";
        }

        if (IsScalar(underlying))
        {
            return $"{key}: {underlying.Name} is a value and has no '{segments[0]}'.";
        }

        if (DictionaryValueType(underlying) is { } valueType)
        {
            return Walk(valueType, segments[1..], key);
        }

        if (ListElementType(underlying) is { } elementType)
        {
            return int.TryParse(segments[0], out var index) && index >= 0
                ? Walk(elementType, segments[1..], key)
                : $"{key}: '{segments[0]}' is not a list index.";
        }

        var properties = underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && (p.SetMethod is { IsPublic: true } || !IsScalar(p.PropertyType)))
            .ToList();
        var property = properties.FirstOrDefault(p => string.Equals(p.Name, segments[0], StringComparison.OrdinalIgnoreCase));
        return property is null
            ? $"{key}: {underlying.Name} has no setting '{segments[0]}'; known: {string.Join(", ", properties.Select(p => p.Name))}."
            : Walk(property.PropertyType, segments[1..], key);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri) || type == typeof(Guid);

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition
        && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
        && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;

    private static Type? ListElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var element] ? element
        : null;

    private static bool StartsWith(string[] segments, string[] prefix) =>
        segments.Length >= prefix.Length && prefix.Select((p, i) => string.Equals(p, segments[i], StringComparison.OrdinalIgnoreCase)).All(b => b);
}
