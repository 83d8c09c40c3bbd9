using Microsoft.EntityFrameworkCore;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Server;

namespace Stuff.Backups;

/// <summary>
/// Puts a backup back: the file is read in full and checked before anything changes; the app's
/// service is stopped meanwhile and started again after; migrations bring an older backup up to
/// this release.
/// </summary>
public static class Restore
{
    /// <summary>
    /// <paramref name="confirm"/> is asked, with what would be lost, after the file is checked and
    /// before anything changes; false leaves everything as it was.
    /// </summary>
    public static async Task RunAsync(IServiceProvider services, DatabaseUrl database, FileInfo backup, Func<string, bool> confirm, TextWriter output,
        CancellationToken cancellationToken)
    {
        await Backup.VerifyAsync(backup, database, cancellationToken);
        var taken = Backup.TakenAt(backup) is { } at ? $"taken {at:yyyy-MM-dd HH:mm} UTC" : "of unknown date";
        if (!confirm($"This replaces everything in {database} with {backup.Name} ({taken}); whatever was written since is lost."))
            throw new UserFacingException("Not confirmed; nothing was changed.");

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
            await using var scope = services.CreateAsyncScope();
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
    }
}
