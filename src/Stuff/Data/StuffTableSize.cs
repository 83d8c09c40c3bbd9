using System.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace Stuff.Data;

/// <summary>
/// How many rows the stuff table has, for the list page. Small tables are counted exactly. Above
/// <see cref="ExactCountLimit"/> rows PostgreSQL's own estimate stands in for COUNT(*), which
/// would read the whole table on every request; the estimate is asked for at most every
/// <see cref="EstimateLifetime"/>, so a busy list costs one query, not two.
/// </summary>
public sealed class StuffTableSize
{
    public const long ExactCountLimit = 10_000;
    public static readonly TimeSpan EstimateLifetime = TimeSpan.FromSeconds(5);

    private sealed record Estimate(long Rows, long Timestamp);

    // Replaced whole, never changed in place, so concurrent requests never see half an update.
    private Estimate? _estimate;

    public async Task<(long Count, bool Estimate)> GetAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        // The context's type says the provider; asking EF (IsNpgsql) reads assembly names on every call.
        if (db is PostgresDbContext)
        {
            var estimate = _estimate;
            if (estimate is null || Stopwatch.GetElapsedTime(estimate.Timestamp) > EstimateLifetime)
            {
                var rows = await db.Database
                    .SqlQueryRaw<long>("SELECT GREATEST(reltuples, 0)::bigint AS \"Value\" FROM pg_class WHERE oid = 'stuff'::regclass")
                    .SingleAsync(cancellationToken);
                _estimate = estimate = new Estimate(rows, Stopwatch.GetTimestamp());
            }
            if (estimate.Rows > ExactCountLimit) return (estimate.Rows, true);
        }
        return (await db.Stuff.LongCountAsync(cancellationToken), false);
    }
}
