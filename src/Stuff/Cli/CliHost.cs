using System.CommandLine;
using Stuff.Hosting;

namespace Stuff.Cli;

/// <summary>The site's services without its web server, for the management commands.</summary>
public static class CliHost
{
    public static WebApplication Build(ParseResult parse)
    {
        var builder = StuffHost.CreateBuilder([]);
        // The commands report for themselves; framework log lines would only bury the one line that matters.
        if (!parse.GetValue(StuffCommandLine.Verbose)) builder.Logging.ClearProviders();
        return builder.Build();
    }
}
