using System.CommandLine;
using Stuff.Hosting;

namespace Stuff.Cli;

/// <summary>The site's services without its web server, for the management commands.</summary>
public static class CliHost
{
    public static WebApplication Build(ParseResult parse) => Build(parse.GetValue(StuffCommandLine.Verbose), CliEnvironment.Of(parse));

    public static WebApplication Build(bool verbose, CliEnvironment? environment = null)
    {
        // A command ends long before a settings file could change: no file watchers.
        var builder = StuffHost.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false"], (environment ?? CliEnvironment.Process).Overrides);
        // The commands report for themselves; framework log lines would only bury the one line that matters.
        if (!verbose) builder.Logging.ClearProviders();
        return builder.Build();
    }
}
