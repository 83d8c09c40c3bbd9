using System.CommandLine;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Server;

namespace Stuff.Cli;

/// <summary>`stuff migrate`: brings the database schema up to date, or lists what is applied and pending.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var list = new Option<bool>("--list") { Description = "Show applied and pending migrations without changing anything." };
        var json = new Option<bool>("--json") { Description = "With --list: print the list as JSON (known, applied, pending), for scripts and for setup and rollback." };
        var to = new Option<string?>("--to")
        {
            Description = "Revert the migrations applied after this one (its id or name) instead; refused for a migration this release does not know or marks irreversible.",
            HelpName = "MIGRATION",
        };
        var command = new Command("migrate", "Apply the database migrations that are pending.") { list, json, to };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var app = CliHost.Build(parse);
            var database = app.Services.GetRequiredService<DatabaseUrl>();
            database.EnsureSqliteDirectory();
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

            var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToHashSet();
            var all = db.Database.GetMigrations().ToList();
            var pending = all.Where(m => !applied.Contains(m)).ToList();

            if (parse.GetValue(json) && !parse.GetValue(list)) throw new UserFacingException("--json goes with --list: stuff migrate --list --json.");
            if (parse.GetValue(list) && parse.GetValue(json))
            {
                // Applied in the order they were applied, a newer release's unknown ones included.
                var everyApplied = applied.Order(StringComparer.Ordinal).ToList();
                await output.WriteLineAsync(new MigrationList(all, everyApplied).ToJson());
                return 0;
            }
            if (parse.GetValue(list))
            {
                await output.WriteLineAsync($"Migrations for {database}:");
                foreach (var migration in all)
                    await output.WriteLineAsync($"  [{(applied.Contains(migration) ? "X" : " ")}] {migration}");
                // A newer release's migrations: this release cannot revert them.
                foreach (var migration in applied.Where(m => !all.Contains(m)).Order(StringComparer.Ordinal))
                    await output.WriteLineAsync($"  [?] {migration}   (applied, unknown to this release)");
                await output.WriteLineAsync(pending.Count == 0 ? "Nothing pending." : $"{pending.Count} pending; run: stuff migrate");
                return 0;
            }

            if (parse.GetValue(to) is { } target) return await RevertAsync(db, target, applied, output, database, cancellationToken);

            if (pending.Count == 0)
            {
                await output.WriteLineAsync($"No migrations to apply; {database} is up to date.");
                return 0;
            }

            await output.WriteLineAsync($"Applying {pending.Count} migration(s) to {database}:");
            foreach (var migration in pending) await output.WriteLineAsync("  " + migration);
            await db.MigrateStuffAsync(cancellationToken);
            await output.WriteLineAsync("Done.");
            return 0;
        }));
        return command;
    }

    private static async Task<int> RevertAsync(AppDbContext db, string target, HashSet<string> applied, TextWriter output, DatabaseUrl database, CancellationToken cancellationToken)
    {
        var known = db.GetService<IMigrationsAssembly>().Migrations;
        var targetId = target == "0" ? "0"
            : known.Keys.FirstOrDefault(id => id == target || id.EndsWith("_" + target, StringComparison.Ordinal))
              ?? throw new UserFacingException($"This release has no migration '{target}'; `stuff migrate --list` shows them. Nothing was changed.");
        if (targetId != "0" && !applied.Contains(targetId))
            throw new UserFacingException($"{targetId} is not applied to {database}, so there is nothing to revert to. Nothing was changed.");

        var revert = applied.Where(m => string.CompareOrdinal(m, targetId) > 0).OrderDescending(StringComparer.Ordinal).ToList();
        if (revert.Count == 0)
        {
            await output.WriteLineAsync($"Nothing to revert: {targetId} is the last migration applied to {database}.");
            return 0;
        }
        foreach (var migration in revert)
        {
            if (!known.TryGetValue(migration, out var type))
                throw new UserFacingException($"{migration} is applied but this release does not know it, so it cannot revert it; run the release that added it. Nothing was changed.");
            if (type.GetCustomAttribute<IrreversibleAttribute>() is { } irreversible)
                throw new UserFacingException($"{migration} cannot be reverted: {irreversible.Reason}. Restore the backup taken before it instead (stuff restore). Nothing was changed.");
        }

        await output.WriteLineAsync($"Reverting {revert.Count} migration(s) of {database}:");
        foreach (var migration in revert) await output.WriteLineAsync("  " + migration);
        await db.GetService<IMigrator>().MigrateAsync(targetId, cancellationToken);
        await output.WriteLineAsync("Done.");
        return 0;
    }
}
