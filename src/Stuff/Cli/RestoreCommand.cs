using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stuff.Backups;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Server;

namespace Stuff.Cli;

/// <summary>
/// `stuff restore FILE`: puts a backup back. The file is read in full and checked before anything
/// changes; the app's service is stopped meanwhile and started again after; migrations bring an
/// older backup up to this release.
/// </summary>
public static class RestoreCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A file written by `stuff backup`." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask: replace the database's contents (for scripts)." };
        var command = new Command("restore", "Replace the database's contents with a backup, after a confirmation.") { file, yes };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var backup = parse.GetRequiredValue(file);
            await using var app = CliHost.Build(parse);
            var database = app.Services.GetRequiredService<IOptions<StuffOptions>>().Value.Database;

            await Backup.VerifyAsync(backup, database, cancellationToken);
            var taken = Backup.TakenAt(backup) is { } at ? $"taken {at:yyyy-MM-dd HH:mm} UTC" : "of unknown date";
            if (!parse.GetValue(yes))
            {
                if (Console.IsInputRedirected && Console.In.Peek() < 0)
                    throw new UserFacingException("restore replaces the database and asks first; there is nobody to ask here, so nothing was changed. Add --yes to restore from a script.");
                var answer = Prompt.Line($"This replaces everything in {database} with {backup.Name} ({taken}); whatever was written since is lost. Type yes to restore: ");
                if (answer?.Trim() != "yes") throw new UserFacingException("Not confirmed; nothing was changed.");
            }

            var service = AppService.Uses(database) ? await AppService.InstalledAsync(new ProcessShell(), cancellationToken) : null;
            var stopped = false;
            if (service is not null && await service.IsRunningAsync(cancellationToken))
            {
                if (!Environment.IsPrivilegedProcess)
                    throw new UserFacingException("The app's service is running and must stop while the database is replaced; run restore as root (sudo), which stops and starts it. Nothing was changed.");
                await output.WriteLineAsync("Stopping the app's service ...");
                await service.StopAsync(cancellationToken);
                stopped = true;
            }
            try
            {
                await Backup.RestoreAsync(backup, database, cancellationToken);
                await using var scope = app.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
                await db.MigrateStuffAsync(cancellationToken);
                await output.WriteLineAsync($"Restored {backup.Name} ({taken}) into {database}{(pending > 0 ? $"; applied {pending} migration(s) it predates" : "")}.");
            }
            finally
            {
                if (stopped && service is not null)
                {
                    await output.WriteLineAsync("Starting the app's service again ...");
                    await service.StartAsync(CancellationToken.None);
                }
            }
            return 0;
        }));
        return command;
    }
}
