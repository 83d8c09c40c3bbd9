using Microsoft.Extensions.Caching.Memory;

namespace Stuff.Accounts;

/// <summary>
/// Failed logins per client address: after <see cref="MaxFailures"/> within
/// <see cref="Window"/>, that address may not try again until the window has passed, whatever
/// account it tries (the per-account lockout stops guessing one password; this stops trying one
/// password on many accounts). Successful logins do not count. Kept in memory, per app instance.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock)
{
    public const int MaxFailures = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    // Bounded, so that a flood of addresses cannot grow it without end; the oldest go first.
    private readonly MemoryCache _failures = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    private sealed class Failures(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;
        public int Count;
    }

    public bool IsBlocked(string address) =>
        _failures.TryGetValue(address, out Failures? failures) && failures!.Count >= MaxFailures && clock.GetUtcNow() - failures.Since < Window;

    /// <summary>Forgets every address: for an operator after a false alarm, and between tests.</summary>
    public void Reset() => _failures.Compact(1.0);

    public void Failed(string address)
    {
        var now = clock.GetUtcNow();
        var failures = _failures.GetOrCreate(address, entry =>
        {
            entry.Size = 1;
            entry.AbsoluteExpirationRelativeToNow = Window;
            return new Failures(now);
        })!;
        Interlocked.Increment(ref failures.Count);
    }
}
