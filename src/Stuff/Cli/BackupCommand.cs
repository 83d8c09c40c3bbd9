using System.CommandLine;
using Microsoft.Extensions.Options;
using Stuff.Backups;
using Stuff.Configuration;

namespace Stuff.Cli;

/// <summary>`stuff backup`: a consistent backup of the database, mode 0600, the oldest ones pruned.</summary>
public static class BackupCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output-dir", "-o") { Description = $"Where to write it (default: STUFF_BACKUP_DIR, else {StuffOptions.DefaultBackupDirectory}).", HelpName = "DIR" };
        var keep = new Option<int>("--keep") { Description = "How many backups to keep in the directory; older ones are removed.", DefaultValueFactory = _ => 14 };
        keep.AcceptRange(1, int.MaxValue, "--keep must be 1 or more.");
        var command = new Command("backup", "Write a consistent backup of the database (pg_dump custom format, or a SQLite copy).") { output, keep };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            await using var app = CliHost.Build(parse);
            var options = app.Services.GetRequiredService<IOptions<StuffOptions>>().Value;
            var directory = Path.GetFullPath(parse.GetValue(output) ?? options.ResolvedBackupDirectory);
            var file = await Backup.CreateAsync(options.Database, directory, parse.GetValue(keep), cancellationToken);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Backed up {options.Database} to {Backup.Describe(file)}.");
            return 0;
        }));
        return command;
    }
}
