using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Stuff.Data;

namespace Stuff.Tests.Data;

/// <summary>Versions and time stamps come from the context's save, by the site's clock, for every entity that has them.</summary>
public abstract class TrackedTests(SiteFactory site) : SiteTests(site)
{
    private static readonly ClaimsPrincipal Nobody = new(new ClaimsIdentity());

    //#if (sample)
    [Fact]
    public async Task A_save_stamps_the_sites_clock_and_bumps_the_version()
    {
        var created = Site.Clock.GetUtcNow().UtcDateTime;
        var item = await Site.AddStuffAsync("clocked");
        Site.Clock.Advance(TimeSpan.FromHours(3));

        await Site.QueryAsync(async db =>
        {
            var row = await db.Stuff.SingleAsync(s => s.Id == item.Id);
            var (saved, _) = await db.SaveAtVersionAsync(row, 1, () => row.SomeNum = 7, CancellationToken.None);
            Assert.True(saved);
            return 0;
        });

        var after = await Site.QueryAsync(db => db.Stuff.AsNoTracking().SingleAsync(s => s.Id == item.Id));
        Assert.Equal(2, after.Version);
        Assert.InRange(after.CreatedAt, created, created.AddSeconds(1));
        Assert.InRange(after.UpdatedAt, created.AddHours(3), created.AddHours(3).AddSeconds(1));
    }

    [Fact]
    public async Task A_save_from_an_older_version_writes_nothing_and_returns_the_row_as_it_is()
    {
        var item = await Site.AddStuffAsync("contested");
        await Site.QueryAsync(async db =>
        {
            var row = await db.Stuff.SingleAsync(s => s.Id == item.Id);
            return (await db.SaveAtVersionAsync(row, 1, () => row.Things = "first", CancellationToken.None)).Saved;
        });

        var (saved, current) = await Site.QueryAsync(async db =>
        {
            // A form read at version 1, saved after someone else's save: the stale version is the one checked.
            var row = await db.Stuff.SingleAsync(s => s.Id == item.Id);
            row.Version = 1;
            db.Entry(row).Property(r => r.Version).OriginalValue = 1;
            return await db.SaveAtVersionAsync(row, 1, () => row.Things = "second", CancellationToken.None);
        });

        Assert.False(saved);
        Assert.NotNull(current);
        Assert.Equal("first", current.Things);
        Assert.Equal(2, current.Version);
        Assert.Equal("first", await Site.QueryAsync(db => db.Stuff.Where(s => s.Id == item.Id).Select(s => s.Things).SingleAsync()));
    }

    [Fact]
    public async Task A_declared_model_counts_the_rows_added_or_changed_after_a_time()
    {
        await Site.AddStuffAsync("before");
        var since = Site.Clock.GetUtcNow().UtcDateTime;
        Site.Clock.Advance(TimeSpan.FromMinutes(1));
        await Site.AddStuffAsync("after");

        var count = await Site.QueryAsync(db => SiteModels.Stuff.Admin!.CountChangedSinceAsync(db, since, CancellationToken.None));

        Assert.Equal(1, count);
    }
    //#endif

    [Fact]
    public async Task History_entries_are_timed_by_the_sites_clock()
    {
        Site.Clock.Advance(TimeSpan.FromDays(2));
        var now = Site.Clock.GetUtcNow().UtcDateTime;

        await Site.QueryAsync(async db =>
        {
            db.Record(Nobody, LogEntry.UserType, "1", "clocked", LogAction.Changed, "Changed email.");
            return await db.SaveChangesAsync();
        });

        var entry = await Site.QueryAsync(db => db.Log.AsNoTracking().SingleAsync());
        Assert.InRange(entry.ActionTime, now, now.AddSeconds(1));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class TrackedTestsOnSqlite(SqliteSite site) : TrackedTests(site);

[Collection(PostgresCollection.Name)]
public sealed class TrackedTestsOnPostgres(PostgresSite site) : TrackedTests(site);
