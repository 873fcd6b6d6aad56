using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace ProofStorage.Api.Http;

/// <summary>
/// Reads JSON strings that may hold escapes which are not valid UTF-16 (a lone <c>\ud800</c>):
/// <see cref="JsonElement.GetString"/> throws on those, which must be a 400, not a 500.
/// </summary>
internal static class JsonStrings
{
    public static bool TryGet(JsonElement element, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            value = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static bool TryGetName(JsonProperty property, [NotNullWhen(true)] out string? name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = null;
            return false;
        }
    }
}
