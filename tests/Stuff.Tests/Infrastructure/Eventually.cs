namespace Stuff.Tests.Infrastructure;

/// <summary>Waiting for a condition instead of sleeping for a guess: polls until it holds, fails with what was awaited.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {within.TotalSeconds:0} s for {what}.");
            await Task.Delay(50);
        }
    }

    /// <summary>The same for a condition that must ask (a request, a command) each time.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {within.TotalSeconds:0} s for {what}.");
            await Task.Delay(100);
        }
    }
}
