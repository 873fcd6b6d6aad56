using System.Diagnostics;
using Xunit;

namespace ProofStorage.Testing;

/// <summary>
/// Waiting for a condition instead of for time: a test that must see something happen asynchronously checks for it
/// until it holds or a generous deadline passes (then it fails saying what it waited for). Never a fixed sleep, never
/// a "finished within N ms" assert: both depend on how busy the machine is.
/// </summary>
public static class Poll
{
    /// <summary>The pause between two checks; short, so waiting costs little after the condition holds.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Checks <paramref name="condition"/> until it is true; fails the test after <paramref name="timeout"/>.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) => UntilAsync(condition, timeout, () => what);

    /// <summary>As <see cref="UntilAsync(Func{Task{bool}}, TimeSpan, string)"/>, with the failure text built only on failure.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(what);
        var clock = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what()}");
            }

            await Task.Delay(Interval).ConfigureAwait(false);
        }
    }

    /// <summary>Synchronous condition.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) => UntilAsync(condition, timeout, () => what);

    /// <summary>Synchronous condition, failure text built only on failure.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), timeout, what);
    }
}
