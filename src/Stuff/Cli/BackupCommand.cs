using System.CommandLine;
using Microsoft.Extensions.Options;
using Stuff.Backups;
using Stuff.Configuration;
using Stuff.Hosting;
using Stuff.Server;

namespace Stuff.Cli;

/// <summary>
/// `stuff backup`: a consistent backup of the database, mode 0600, the oldest ones pruned, and
/// sent to the off-site repository when one is set; `--verify`: the restore drill; `--list`:
/// the off-site snapshots.
/// </summary>
public static class BackupCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output-dir", "-o") { Description = $"Where to write it (default: STUFF_BACKUP_DIR, else {StuffOptions.DefaultBackupDirectory}).", HelpName = "DIR" };
        var keep = new Option<int>("--keep") { Description = "How many backups to keep in the directory; older ones are removed.", DefaultValueFactory = _ => 14 };
        keep.AcceptRange(1, int.MaxValue, "--keep must be 1 or more.");
        var verify = new Option<bool>("--verify")
        {
            Description = "Take no backup: restore the newest off-site snapshot (or the newest local backup, without a repository) into a scratch database, check its rows and migrations, and empty it again.",
        };
        var list = new Option<bool>("--list") { Description = "Take no backup: list the snapshots in the off-site repository." };
        var command = new Command("backup", "Write a consistent backup of the database (pg_dump custom format, or a SQLite copy), and send it off-site when STUFF_BACKUP_REPOSITORY is set.")
        {
            output, keep, verify, list,
        };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var console = parse.InvocationConfiguration.Output;
            if (parse.GetValue(verify) && parse.GetValue(list)) throw new UserFacingException("Give --verify or --list, not both.");
            await using var app = CliHost.Build(parse);
            var options = app.Services.GetRequiredService<IOptions<StuffOptions>>().Value;
            var repository = OffsiteRepository.From(app.Services.GetRequiredService<IConfiguration>());
            var restic = repository is null ? null : new Restic(repository, new ProcessShell());

            if (parse.GetValue(list))
            {
                if (restic is null) throw new UserFacingException($"No off-site repository is set ({OffsiteRepository.RepositoryKey}); stuff setup --backup-repository URL sets one.");
                var snapshots = await restic.SnapshotsAsync(cancellationToken);
                await console.WriteLineAsync($"{snapshots.Count} snapshot(s) in {repository!.Display} (kept: {OffsiteRepository.KeepPolicyText}):");
                foreach (var each in snapshots)
                    await console.WriteLineAsync($"  {each.ShortId}  {each.Time:yyyy-MM-dd HH:mm:ss} UTC  {(each.Tags.Contains(OffsiteRepository.Tag) ? "release " + (each.Release ?? "?") : "not a Stuff backup")}");
                return 0;
            }

            // The daily backup, the weekly drill and a person's backup take turns: restic's prune
            // needs the repository to itself.
            var directory = Path.GetFullPath(parse.GetValue(output) ?? options.ResolvedBackupDirectory);
            await using var turn = await BackupLock.TakeAsync(directory, console, cancellationToken);

            if (parse.GetValue(verify))
            {
                var result = await Drill.RunAsync(options, restic, cancellationToken);
                try
                {
                    result.Write(options.ResolvedDataDirectory);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    await console.WriteLineAsync($"(the result could not be kept in {options.ResolvedDataDirectory}: {e.Message})");
                }
                await console.WriteLineAsync(result.Passed
                    ? $"Restore drill passed in {result.Seconds:0.0} s: {result.Summary}."
                    : $"Restore drill FAILED after {result.Seconds:0.0} s on {result.Source}: {result.Summary}.");
                return result.Passed ? 0 : 1;
            }

            var file = await Backup.CreateAsync(options.Database, directory, parse.GetValue(keep), cancellationToken);
            await console.WriteLineAsync($"Backed up {options.Database} to {Backup.Describe(file)}.");
            if (restic is null) return 0;
            string sent;
            try
            {
                sent = await restic.BackupAsync([file.FullName, RowCounts.PathFor(file.FullName)], $"{AppInfo.Version}-{AppInfo.Commit}", cancellationToken);
            }
            catch (UserFacingException e)
            {
                throw new UserFacingException($"The backup is in {directory}, but it is not off-site. {e.Message}");
            }
            await console.WriteLineAsync($"Sent it off-site to {repository!.Display} as snapshot {sent} (kept: {OffsiteRepository.KeepPolicyText}).");
            try
            {
                await restic.ForgetAsync(cancellationToken);
            }
            catch (UserFacingException e)
            {
                throw new UserFacingException($"The backup is off-site as snapshot {sent}, but the older snapshots were not thinned out. {e.Message}");
            }
            return 0;
        }));
        return command;
    }
}
