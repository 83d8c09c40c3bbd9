using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Stuff.Configuration;
using Stuff.Data;

namespace Stuff.Cli;

/// <summary>`stuff migrate`: brings the database schema up to date, or lists what is applied and pending.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var list = new Option<bool>("--list") { Description = "Show applied and pending migrations without changing anything." };
        var command = new Command("migrate", "Apply the database migrations that are pending.") { list };
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

            if (parse.GetValue(list))
            {
                await output.WriteLineAsync($"Migrations for {database}:");
                foreach (var migration in all)
                    await output.WriteLineAsync($"  [{(applied.Contains(migration) ? "X" : " ")}] {migration}");
                await output.WriteLineAsync(pending.Count == 0 ? "Nothing pending." : $"{pending.Count} pending; run: stuff migrate");
                return 0;
            }

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
}
