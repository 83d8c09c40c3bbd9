using Microsoft.EntityFrameworkCore;

namespace Stuff.Data;

/// <summary>
/// How many rows the stuff table has, for the list page. Small tables are counted exactly. Above
/// <see cref="ExactCountLimit"/> rows PostgreSQL's own estimate stands in for COUNT(*), which
/// would read the whole table. Either figure is remembered for <see cref="Lifetime"/>: on a
/// busy list a count of ten thousand rows cost PostgreSQL more than the rest of the page, once
/// per request. A change this instance saves to the table forgets it at once (see
/// <see cref="AppDbContext"/>), so a person sees their own new or deleted stuff counted; another
/// instance behind the balancer counts it within <see cref="Lifetime"/>.
/// </summary>
public sealed class StuffTableSize(TimeProvider clock)
{
    public const long ExactCountLimit = 10_000;
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    private sealed record Known(long Rows, bool Estimate, long Timestamp, long Generation);

    // Replaced whole, never changed in place, so concurrent requests never see half an update.
    private Known? _known;

    // Moves on every change; a count that started before a change is not kept after it.
    private long _generation;

    public async Task<(long Count, bool Estimate)> GetAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        var generation = Interlocked.Read(ref _generation);
        if (_known is { } known && known.Generation == generation && clock.GetElapsedTime(known.Timestamp) <= Lifetime)
            return (known.Rows, known.Estimate);

        var (rows, estimate) = await CountAsync(db, cancellationToken);
        if (Interlocked.Read(ref _generation) == generation) _known = new Known(rows, estimate, clock.GetTimestamp(), generation);
        return (rows, estimate);
    }

    /// <summary>Forgets the remembered count: the table has changed.</summary>
    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        _known = null;
    }

    private static async Task<(long Rows, bool Estimate)> CountAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        // The context's type says the provider; asking EF (IsNpgsql) reads assembly names on every call.
        if (db is PostgresDbContext)
        {
            var estimate = await db.Database
                .SqlQueryRaw<long>("SELECT GREATEST(reltuples, 0)::bigint AS \"Value\" FROM pg_class WHERE oid = 'stuff'::regclass")
                .SingleAsync(cancellationToken);
            if (estimate > ExactCountLimit) return (estimate, true);
        }
        return (await db.Stuff.LongCountAsync(cancellationToken), false);
    }
}
