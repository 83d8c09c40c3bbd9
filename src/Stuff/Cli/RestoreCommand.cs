using System.CommandLine;
using Microsoft.Extensions.Options;
using Stuff.Backups;
using Stuff.Configuration;

namespace Stuff.Cli;

/// <summary>`stuff restore FILE`: puts a backup back (see <see cref="Restore"/>), after a confirmation.</summary>
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

            await Restore.RunAsync(app.Services, database, backup, question =>
            {
                if (parse.GetValue(yes)) return true;
                if (Console.IsInputRedirected && Console.In.Peek() < 0)
                    throw new UserFacingException("restore replaces the database and asks first; there is nobody to ask here, so nothing was changed. Add --yes to restore from a script.");
                return Prompt.Line(question + " Type yes to restore: ")?.Trim() == "yes";
            }, output, cancellationToken);
            return 0;
        }));
        return command;
    }
}
