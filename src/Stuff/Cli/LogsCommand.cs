using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Cli;

/// <summary>
/// `stuff logs [-f] [-n N]`: the app's log for every live instance: from journald where systemd
/// runs the app, else the supervisor's log files in /var/log/stuff.
/// </summary>
public static class LogsCommand
{
    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines as they come (Ctrl+C ends)." };
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the last lines to show (default 50).", DefaultValueFactory = _ => 50, HelpName = "N" };
        lines.AcceptRange(1, 100_000, "--lines must be between 1 and 100000.");
        var command = new Command("logs", "Show the app's log for all live instances (journald, or the supervise log files without systemd).") { follow, lines };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var shell = new ProcessShell();
            var facts = await HostFacts.DetectAsync(shell, cancellationToken);
            var layout = new Layout(facts.Family, facts.PostgresVersion);
            var ports = layout.Releases.LivePorts;
            if (ports.Count == 0)
                throw new UserFacingException($"No release is live on this host ({layout.AppRoot} has none): install one with stuff setup.");
            var n = parse.GetValue(lines).ToString(CultureInfo.InvariantCulture);
            string[] command = facts.HasSystemd
                ? ["journalctl", "--no-pager", "-n", n, .. ports.SelectMany(p => new[] { "-u", Layout.Unit(p) }), .. parse.GetValue(follow) ? new[] { "-f" } : []]
                : ["tail", "-n", n, .. parse.GetValue(follow) ? new[] { "-F" } : [], .. ports.Select(layout.LogFile)];
            // The tool writes to this terminal itself; Ctrl+C ends both.
            var info = new ProcessStartInfo(command[0]) { UseShellExecute = false };
            foreach (var arg in command[1..]) info.ArgumentList.Add(arg);
            using var process = Process.Start(info) ?? throw new UserFacingException($"Could not start {command[0]}.");
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode;
        }));
        return command;
    }
}
