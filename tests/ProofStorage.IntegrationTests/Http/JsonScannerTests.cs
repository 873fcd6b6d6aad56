using System.Text;
using System.Text.Json;
using ProofStorage.Api.Http;

namespace ProofStorage.IntegrationTests.Http;

/// <summary>
/// The body walk's repeated-name check: refuses a name an object already has (as a parser sees it, after unescaping),
/// allows the same name in different objects, and costs the same per name whether an object has a few names or a million.
/// </summary>
public sealed class JsonScannerTests
{
    // Small objects are compared name by name, larger ones through the set: every case runs on both sides of the switch.
    public static TheoryData<int> Sizes => [1, JsonScanner.ListedNames - 1, JsonScanner.ListedNames, JsonScanner.ListedNames + 1, 200];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ANameRepeatedInOneObject_IsRefused_WhereverTheRepeatStands(int names)
    {
        foreach (var repeated in new[] { 0, names / 2, names - 1 })
        {
            var json = Object(names, extra: $"\"k{repeated}\":true");

            Assert.Throws<RepeatedPropertyException>(() => Walk(json));
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ARepeatSpelledWithEscapes_IsTheSameName(int names)
    {
        // "k0" written as "\u006b0": a parser reads the same name, whichever spelling comes first.
        Assert.Throws<RepeatedPropertyException>(() => Walk(Object(names, extra: "\"\\u006b0\":1")));
        Assert.Throws<RepeatedPropertyException>(() => Walk(Object(names, extra: "\"k0\":1", escapedFirst: true)));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void TheSameNames_InSiblingAndNestedObjects_AreAllowed(int names)
    {
        var inner = Object(names);
        var json = $"{{\"a\":{inner},\"b\":[{inner},{inner}],\"c\":{Object(names, extra: $"\"nested\":{inner}")}}}";

        Walk(json);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AfterANestedObjectWithTheSameNames_TheEnclosingObjectStillKnowsItsOwn(int names)
    {
        var inner = Object(names);

        // The nested object's names leave with it; the enclosing object's stay, so a repeat of one is still refused and a
        // name only the nested object had is new.
        Assert.Throws<RepeatedPropertyException>(() => Walk(Object(names, extra: $"\"nested\":{inner},\"k0\":1")));
        Assert.Throws<RepeatedPropertyException>(() => Walk(Object(names, extra: $"\"nested\":{inner},\"k{names - 1}\":1")));
        Walk(Object(names, extra: $"\"nested\":{Object(names + 5)},\"k{names + 2}\":1"));
    }

    [Fact]
    public void DistinctNames_AreAllowed_AndEscapedNamesThatDifferAreDifferent()
    {
        Walk(Object(500, extra: "\"\\u006b0x\":1,\"k\\u0030y\":2"));
    }

    [Fact]
    public void OneObjectOfManyNames_CostsComparisonsInProportionToItsNames()
    {
        // 50,000 distinct names: compared one against another that was 1.25e9 comparisons (minutes of CPU for a 10 MB
        // body). Through the set a name is compared only with names whose seeded hashes agree, and once more with itself
        // when its object closes and it is taken out of the set: about 2 per name.
        const int names = 50_000;
        var scanner = Walk(Object(names));

        Assert.True(scanner.NameComparisons < 2 * names, $"{scanner.NameComparisons} name comparisons for {names} names");
    }

    private static string Object(int names, string? extra = null, bool escapedFirst = false)
    {
        var builder = new StringBuilder("{");
        for (var i = 0; i < names; i++)
        {
            builder.Append(i == 0 && escapedFirst ? "\"\\u006b0\"" : $"\"k{i}\"").Append(':').Append(i).Append(',');
        }

        if (extra is not null)
        {
            builder.Append(extra).Append(',');
        }

        builder.Length--;
        return builder.Append('}').ToString();
    }

    private static JsonScanner Walk(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var scanner = new JsonScanner(bytes);
        var reader = new Utf8JsonReader(bytes);
        Assert.True(reader.Read());
        scanner.SkipValue(ref reader);
        Assert.False(reader.Read());
        return scanner;
    }
}
