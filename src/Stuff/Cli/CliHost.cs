using System.CommandLine;
using Stuff.Hosting;

namespace Stuff.Cli;

/// <summary>The site's services without its web server, for the management commands.</summary>
public static class CliHost
{
    public static WebApplication Build(ParseResult parse) => Build(parse.GetValue(StuffCommandLine.Verbose), CliEnvironment.Of(parse));

    public static WebApplication Build(bool verbose, CliEnvironment? environment = null) =>
        StuffHost.BuildForCommand(verbose, (environment ?? CliEnvironment.Process).Overrides);
}
