using System.Diagnostics;

namespace Stuff.Server;

/// <summary>The one poll loop: asks a question every so often until it says yes or the time is up.</summary>
public static class Wait
{
    /// <summary>True as soon as the condition holds (asked at once, then after every pause); false when it has not within the time.</summary>
    public static async Task<bool> UntilAsync(Func<CancellationToken, Task<bool>> condition, TimeSpan within, TimeSpan every, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition(cancellationToken)) return true;
            if (clock.Elapsed + every > within) return false;
            await Task.Delay(every, cancellationToken);
        }
    }

    /// <summary>The same for a question that needs no waiting to answer.</summary>
    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan within, TimeSpan every, CancellationToken cancellationToken) =>
        UntilAsync(_ => Task.FromResult(condition()), within, every, cancellationToken);
}
