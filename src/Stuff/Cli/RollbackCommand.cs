using System.CommandLine;
using Stuff.Configuration;
using Stuff.Releases;
using Stuff.Server;

namespace Stuff.Cli;

/// <summary>`stuff rollback`: back to the previous release (see <see cref="Rollback"/>).</summary>
public static class RollbackCommand
{
    public static Command Create()
    {
        var restore = new Option<FileInfo?>("--restore-backup")
        {
            Description = "When the migrations cannot be reverted: restore this backup (taken before the upgrade) with the older release, then switch to it. What was written since is lost.",
            HelpName = "FILE",
        };
        var command = new Command("rollback", "Switch back to the previous release (run as root).") { restore };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            if (!Environment.IsPrivilegedProcess)
                throw new UserFacingException("stuff rollback switches the service and Apache and must run as root: sudo /opt/stuff/bin/stuff rollback");
            var shell = new ProcessShell();
            var facts = await HostFacts.DetectAsync(shell, cancellationToken);
            await new Rollback(shell, facts, parse.InvocationConfiguration.Output).RunAsync(parse.GetValue(restore), cancellationToken);
            return 0;
        }));
        return command;
    }
}
