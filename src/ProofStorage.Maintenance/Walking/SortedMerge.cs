using System.Runtime.CompilerServices;
using ProofStorage.Core.Storage;

namespace ProofStorage.Maintenance.Walking;

/// <summary>One key with what each copy's listing says about it (<see langword="null"/>: that copy does not list it).</summary>
internal sealed record ListedKey(string Key, ObjectEntry?[] Entries);

/// <summary>
/// Joins listings that are each sorted by key (ordinal) into one sorted stream of keys, holding one entry per listing in
/// memory: how the scrub compares the copies of millions of keys without collecting any of them.
/// </summary>
internal static class SortedMerge
{
    public static async IAsyncEnumerable<ListedKey> MergeAsync(IReadOnlyList<IAsyncEnumerable<ObjectEntry>> listings,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listings);
        var cursors = listings.Select(l => l.GetAsyncEnumerator(cancellationToken)).ToArray();
        var heads = new ObjectEntry?[cursors.Length];
        try
        {
            for (var i = 0; i < cursors.Length; i++)
            {
                heads[i] = await cursors[i].MoveNextAsync().ConfigureAwait(false) ? cursors[i].Current : null;
            }

            while (true)
            {
                string? next = null;
                foreach (var head in heads)
                {
                    if (head is not null && (next is null || string.CompareOrdinal(head.Key, next) < 0))
                    {
                        next = head.Key;
                    }
                }

                if (next is null)
                {
                    yield break;
                }

                var entries = new ObjectEntry?[cursors.Length];
                for (var i = 0; i < cursors.Length; i++)
                {
                    if (heads[i] is { } head && head.Key == next)
                    {
                        entries[i] = head;
                        var previous = head.Key;
                        heads[i] = await cursors[i].MoveNextAsync().ConfigureAwait(false) ? cursors[i].Current : null;
                        if (heads[i] is { } following && string.CompareOrdinal(following.Key, previous) <= 0)
                        {
                            throw new InvalidOperationException($"A listing is not in key order ('{following.Key}' after '{previous}').");
                        }
                    }
                }

                yield return new ListedKey(next, entries);
            }
        }
        finally
        {
            foreach (var cursor in cursors)
            {
                await cursor.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
