using System.Text.Json;

namespace ProofStorage.Core.Codec;

/// <summary>
/// What a JSON proof must be to be stored: exactly one JSON value nested at most <c>MaxProofDepth</c> levels. The rule is
/// applied once per proof: either here on the proof's own bytes (<see cref="IsSingleValue"/>), or by a request parser while
/// its reader walks past the value inside a larger body (<see cref="Walk{TObserver}"/>), which hands on a
/// <see cref="CheckedJsonProof"/> so the write pipeline does not walk the same bytes a second time.
/// </summary>
public static class JsonProofRule
{
    /// <summary>True when <paramref name="json"/> is exactly one JSON value no deeper than <paramref name="maxDepth"/>.</summary>
    public static bool IsSingleValue(ReadOnlySpan<byte> json, int maxDepth)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth });
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The reader is on the first token of a value inside <paramref name="source"/> (the span the reader reads): moves it
    /// to the value's last token, telling <paramref name="observer"/> every object and property name on the way (a
    /// parser's own checks, such as repeated names). Returns the value as a <see cref="CheckedJsonProof"/> when it nests no
    /// deeper than <paramref name="maxDepth"/>, else null (the value is skipped all the same; whoever stores it then
    /// applies <see cref="IsSingleValue"/> and refuses it). Malformed JSON throws as the reader does.
    /// </summary>
    public static CheckedJsonProof? Walk<TObserver>(ref Utf8JsonReader reader, TObserver observer, ReadOnlyMemory<byte> source, int maxDepth)
        where TObserver : IJsonWalkObserver
    {
        ArgumentNullException.ThrowIfNull(observer);
        var start = reader.TokenStartIndex;
        var within = Skip(ref reader, observer, maxDepth);
        var bytes = source[(int)start..(int)reader.BytesConsumed];
        return within ? new CheckedJsonProof(bytes, maxDepth) : null;
    }

    /// <summary>
    /// Moves the reader from a value's first token to its last, telling <paramref name="observer"/> every object and name;
    /// true when no container inside nests deeper than <paramref name="maxDepth"/> levels (counting the value's own).
    /// </summary>
    public static bool Skip<TObserver>(ref Utf8JsonReader reader, TObserver observer, int maxDepth = int.MaxValue)
        where TObserver : IJsonWalkObserver
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return true;
        }

        var depth = reader.CurrentDepth;
        var within = maxDepth >= 1;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            observer.EnterObject();
        }

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    observer.EnterObject();
                    within &= reader.CurrentDepth - depth + 1 <= maxDepth;
                    break;
                case JsonTokenType.StartArray:
                    within &= reader.CurrentDepth - depth + 1 <= maxDepth;
                    break;
                case JsonTokenType.EndObject:
                    observer.ExitObject();
                    break;
                case JsonTokenType.PropertyName:
                    observer.PropertyName(ref reader);
                    break;
            }

            if (reader.CurrentDepth == depth && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                break;
            }
        }

        return within;
    }
}

/// <summary>What a walk of a JSON value (<see cref="JsonProofRule.Skip{TObserver}"/>) reports as it passes.</summary>
public interface IJsonWalkObserver
{
    /// <summary>The reader is on a StartObject.</summary>
    void EnterObject();

    /// <summary>The reader is on an EndObject.</summary>
    void ExitObject();

    /// <summary>The reader is on a PropertyName.</summary>
    void PropertyName(ref Utf8JsonReader reader);
}

/// <summary>
/// A proof's bytes that <see cref="JsonProofRule"/> walked as one JSON value within a depth limit: only the rule makes one.
/// A store command carrying it for the same bytes (<see cref="Model.StoreProofCommand.ForCheckedJson"/>) is not walked again.
/// </summary>
public readonly struct CheckedJsonProof
{
    internal CheckedJsonProof(ReadOnlyMemory<byte> bytes, int maxDepth)
    {
        Bytes = bytes;
        MaxDepth = maxDepth;
    }

    /// <summary>The value's bytes, a slice of the body it was read from.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The depth limit the walk applied.</summary>
    internal int MaxDepth { get; }

    /// <summary>Whether these checked bytes are exactly <paramref name="proof"/> (same memory) under a limit no looser than <paramref name="maxDepth"/>.</summary>
    internal bool Covers(ReadOnlyMemory<byte> proof, int maxDepth) => MaxDepth <= maxDepth && Bytes.Equals(proof);
}
