using System.CommandLine;

namespace Stuff.Cli;

/// <summary>
/// Where a command's settings come from: the process environment, and overrides on top of it
/// for a command run inside another process (the tests run commands in theirs, many at a time,
/// so none of them may change the process environment).
/// </summary>
public sealed class CliEnvironment(IReadOnlyDictionary<string, string?>? overrides = null)
{
    /// <summary>The process environment alone, as `stuff` started from a shell or systemd sees it.</summary>
    public static CliEnvironment Process { get; } = new();

    /// <summary>Variables that replace the process environment's; a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?> Overrides { get; } = overrides ?? new Dictionary<string, string?>();

    public string? Get(string name) => Overrides.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name);

    /// <summary>The environment the command line was built with.</summary>
    public static CliEnvironment Of(ParseResult parse) => (parse.RootCommandResult.Command as StuffRootCommand)?.Environment ?? Process;
}

/// <summary>The `stuff` root command, carrying the environment its commands read their settings from.</summary>
public sealed class StuffRootCommand(CliEnvironment environment, string description) : RootCommand(description)
{
    public CliEnvironment Environment { get; } = environment;
}
