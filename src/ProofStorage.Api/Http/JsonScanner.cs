using System.Text.Json;
using ProofStorage.Core.Codec;

namespace ProofStorage.Api.Http;

/// <summary>
/// Walks a request body with <see cref="Utf8JsonReader"/> (the one parse of it: syntax, depth and, here, repeated
/// property names in any object), keeping no tree: a body of any size costs a few small buffers, not a document.
/// A repeated name (compared after unescaping, as a parser would see it) throws <see cref="RepeatedPropertyException"/>.
/// The check costs the same per name however many names an object has: a small object's names are compared in a
/// list, a larger one's through a set keyed by a seeded hash (a 10 MB body of one object's names is otherwise minutes
/// of CPU).
/// </summary>
internal sealed class JsonScanner(ReadOnlyMemory<byte> source) : IJsonWalkObserver, IEqualityComparer<int>
{
    /// <summary>Up to this many names an object's names are compared one by one; past it they go into the set.</summary>
    internal const int ListedNames = 16;

    private readonly List<Name> _names = [];
    private readonly Stack<int> _objects = new();

    /// <summary>The names (indices into <see cref="_names"/>) of the open objects that have more than <see cref="ListedNames"/>.</summary>
    private HashSet<int>? _indexed;
    private byte[]? _unescaped;
    private int _unescapedLength;

    /// <summary>How many earlier names a new name was checked against: a count the tests bound (it grows with the names, not their square).</summary>
    internal long NameComparisons { get; private set; }

    /// <summary>The reader is on a StartObject: names are tracked until the matching <see cref="ExitObject"/>.</summary>
    public void EnterObject() => _objects.Push(_names.Count);

    /// <summary>The reader is on an EndObject.</summary>
    public void ExitObject()
    {
        // Out of the set while the object is still the innermost: the set's comparison tells its names from an enclosing
        // object's by that.
        var start = _objects.Peek();
        if (_names.Count - start > ListedNames)
        {
            for (var i = start; i < _names.Count; i++)
            {
                _indexed!.Remove(i);
            }
        }

        _objects.Pop();
        _names.RemoveRange(start, _names.Count - start);
        if (_objects.Count == 0)
        {
            _unescapedLength = 0;
        }
    }

    /// <summary>The reader is on a PropertyName: refuses it when the current object already has one of that name.</summary>
    public void PropertyName(ref Utf8JsonReader reader)
    {
        Name name;
        if (reader.ValueIsEscaped)
        {
            var room = reader.ValueSpan.Length;
            if (_unescaped is null || _unescaped.Length - _unescapedLength < room)
            {
                var larger = new byte[Math.Max(Math.Max(256, room * 2), (_unescaped?.Length ?? 0) * 2)];
                _unescaped?.AsSpan(0, _unescapedLength).CopyTo(larger);
                _unescaped = larger;
            }

            // Throws InvalidOperationException for an escape that is not valid Unicode (a lone surrogate).
            var written = reader.CopyString(_unescaped.AsSpan(_unescapedLength));
            name = new Name(_unescapedLength, written, Unescaped: true);
            _unescapedLength += written;
        }
        else
        {
            name = new Name((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, Unescaped: false);
        }

        var start = _objects.Count == 0 ? 0 : _objects.Peek();
        var count = _names.Count - start;
        if (count < ListedNames)
        {
            for (var i = start; i < _names.Count; i++)
            {
                NameComparisons++;
                if (SameBytes(_names[i], name))
                {
                    throw new RepeatedPropertyException();
                }
            }

            _names.Add(name);
            return;
        }

        _indexed ??= new HashSet<int>(this);
        if (count == ListedNames)
        {
            for (var i = start; i < _names.Count; i++)
            {
                _indexed.Add(i);
            }
        }

        _names.Add(name);
        if (!_indexed.Add(_names.Count - 1))
        {
            throw new RepeatedPropertyException();
        }
    }

    /// <summary>
    /// The set's comparison, asked only for names whose hashes agree: the same entry, or two names of the innermost open
    /// object (the one a name is added to) with the same bytes. A name of an enclosing object is another name.
    /// </summary>
    public bool Equals(int x, int y)
    {
        NameComparisons++;
        return x == y || (Math.Min(x, y) >= _objects.Peek() && SameBytes(_names[x], _names[y]));
    }

    /// <summary>Seeded per process (<see cref="HashCode"/>), so a body cannot be made of names that collide.</summary>
    public int GetHashCode(int obj)
    {
        var hash = new HashCode();
        hash.AddBytes(BytesOf(_names[obj]));
        return hash.ToHashCode();
    }

    /// <summary>
    /// The reader is on the first token of a value: moves it to the value's last token, checking every object inside.
    /// </summary>
    public void SkipValue(ref Utf8JsonReader reader) => JsonProofRule.Skip(ref reader, this);

    /// <summary>
    /// As <see cref="SkipValue"/>, for a proof: the Core's rule (<see cref="JsonProofRule.Walk{TObserver}"/>) on the same
    /// walk; the checked bytes, or null when the value nests deeper than <paramref name="maxDepth"/>.
    /// </summary>
    public CheckedJsonProof? SkipProof(ref Utf8JsonReader reader, int maxDepth) => JsonProofRule.Walk(ref reader, this, source, maxDepth);

    /// <summary>The bytes of the value the reader just skipped, from <paramref name="start"/>: a slice of the source, no copy.</summary>
    public ReadOnlyMemory<byte> Slice(long start, long end) => source[(int)start..(int)end];

    private bool SameBytes(Name x, Name y) => x.Length == y.Length && BytesOf(x).SequenceEqual(BytesOf(y));

    private ReadOnlySpan<byte> BytesOf(Name name) =>
        name.Unescaped ? _unescaped.AsSpan(name.Start, name.Length) : source.Span.Slice(name.Start, name.Length);

    /// <summary>A property name: where its bytes are, in the body or unescaped in the side buffer.</summary>
    private readonly record struct Name(int Start, int Length, bool Unescaped);
}

/// <summary>An object in the body names the same property twice.</summary>
internal sealed class RepeatedPropertyException : Exception
{
    public RepeatedPropertyException()
        : base("The body repeats a property name in one object.")
    {
    }

    public RepeatedPropertyException(string message)
        : base(message)
    {
    }

    public RepeatedPropertyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
