using Microsoft.EntityFrameworkCore;
using Stuff.Configuration;
using Stuff.Data;

namespace Stuff.Doctor;

/// <summary>Every migration this release knows is applied, and the database is not from a newer release.</summary>
public sealed class MigrationsCheck : DoctorCheck
{
    private const string Id = "migrations";
    private const string Name = "Migrations";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        if (!context.DatabaseConnected) return [Finding.Skipped(Id, Name, "needs the database (see Database)")];
        var database = context.Options.Database;
        await using var db = database.CreateContext();

        var known = db.Database.GetMigrations().ToList();
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        var pending = known.Except(applied).ToList();
        var unknown = applied.Except(known).ToList();
        if (pending.Count > 0)
        {
            return [Finding.Failed(Id, Name, $"{pending.Count} of {known.Count} migration(s) not applied",
                $"this release needs tables and columns the database lacks ({string.Join(", ", pending)}); pages fail and /readyz says not ready",
                context.AsServiceUser("migrate"))];
        }
        if (unknown.Count > 0)
        {
            return [Finding.Warning(Id, Name, $"the database has {unknown.Count} migration(s) this release does not know",
                $"a newer release migrated this database ({string.Join(", ", unknown)}); this older release may not understand its tables",
                "run the release that matches the database, or restore the backup taken before the upgrade")];
        }
        return [Finding.Ok(Id, Name, $"all {known.Count} applied")];
    }
}
