using System.CommandLine;
using Stuff.Server;

namespace Stuff.Cli;

/// <summary>`stuff supervise`: keeps `stuff serve` running where there is no systemd. Started by `stuff setup`.</summary>
public static class SuperviseCommand
{
    public static Command Create()
    {
        var pidFile = new Option<string>("--pid-file") { Description = "Where to write the supervisor's pid.", Required = true, HelpName = "FILE" };
        var logFile = new Option<string>("--log-file") { Description = "Where the app's output goes (appended).", Required = true, HelpName = "FILE" };
        var urls = new Option<string?>("--urls") { Description = "Addresses the site listens on, passed to `stuff serve`.", HelpName = "URLS" };
        var command = new Command("supervise", "Run the site and restart it when it fails, for hosts without systemd (setup starts this).") { pidFile, logFile, urls };
        command.SetAction(StuffCommandLine.Guard((parse, cancellationToken) =>
            Supervisor.RunAsync(parse.GetRequiredValue(pidFile), parse.GetRequiredValue(logFile), parse.GetValue(urls), cancellationToken)));
        return command;
    }
}
