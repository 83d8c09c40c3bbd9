using System.CommandLine;
using Microsoft.Extensions.Options;
using Stuff.Backups;
using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Cli;

/// <summary>
/// `stuff restore FILE` or `stuff restore --from-repository [SNAPSHOT]`: puts a backup back (see
/// <see cref="Restore"/>), after a confirmation; from the off-site repository it is read back
/// first, into a directory beside the local backups that is removed after.
/// </summary>
public static class RestoreCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo?>("file") { Description = "A file written by `stuff backup`.", Arity = ArgumentArity.ZeroOrOne };
        var fromRepository = new Option<string?>("--from-repository")
        {
            Description = "Restore a snapshot from the off-site repository (STUFF_BACKUP_REPOSITORY): its id, or latest (the default).",
            HelpName = "SNAPSHOT",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var yes = new Option<bool>("--yes") { Description = "Do not ask: replace the database's contents (for scripts)." };
        var command = new Command("restore", "Replace the database's contents with a backup, after a confirmation.") { file, fromRepository, yes };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var fromOffsite = parse.GetResult(fromRepository) is not null;
            var backup = parse.GetValue(file);
            if (fromOffsite == (backup is not null))
                throw new UserFacingException("Give the backup to restore: a FILE written by stuff backup, or --from-repository [SNAPSHOT|latest] for the off-site repository.");
            await using var app = CliHost.Build(parse);
            var options = app.Services.GetRequiredService<IOptions<StuffOptions>>().Value;
            var database = options.Database;

            bool Confirm(string question)
            {
                if (parse.GetValue(yes)) return true;
                if (Console.IsInputRedirected && Console.In.Peek() < 0)
                    throw new UserFacingException("restore replaces the database and asks first; there is nobody to ask here, so nothing was changed. Add --yes to restore from a script.");
                return Prompt.Line(question + " Type yes to restore: ")?.Trim() == "yes";
            }

            if (!fromOffsite)
            {
                await Restore.RunAsync(app.Services, database, backup!, Confirm, output, cancellationToken);
                return 0;
            }

            var repository = OffsiteRepository.From(app.Services.GetRequiredService<IConfiguration>())
                ?? throw new UserFacingException($"No off-site repository is set ({OffsiteRepository.RepositoryKey} in the env file); stuff setup --backup-repository URL sets it, with the repository's password in {OffsiteRepository.PasswordKey}. Nothing was changed.");
            var restic = new Restic(repository, new ProcessShell());
            var snapshot = await restic.FindAsync(parse.GetValue(fromRepository) ?? "latest", cancellationToken);
            var work = Path.Combine(options.ResolvedBackupDirectory, $".restore-{Guid.NewGuid():N}");
            try
            {
                Directory.CreateDirectory(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                // restic runs as the service user when root restores (its SSH key, its cache).
                if (Layout.RootWithServiceUser()
                    && await new ProcessShell().TryRunAsync("chown", [Layout.ServiceUser + ":", work], cancellationToken) is not { Ok: true })
                    throw new UserFacingException($"Cannot give {work} to the service user, who reads the snapshot back (chown failed). Nothing was changed.");
                await output.WriteLineAsync($"Reading snapshot {snapshot.ShortId} ({snapshot.Time:yyyy-MM-dd HH:mm} UTC, release {snapshot.Release ?? "?"}) from {repository.Display} ...");
                var restored = await restic.RestoreBackupAsync(snapshot, work, database, cancellationToken);
                await Restore.RunAsync(app.Services, database, restored, Confirm, output, cancellationToken);
            }
            finally
            {
                if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
            }
            return 0;
        }));
        return command;
    }
}
