using System.CommandLine;

namespace Stuff.Cli;

/// <summary>
/// One line for a command line that does not parse: the unknown option or stray word, the
/// closest valid option, and where the help is. Nothing runs after it (exit code 2).
/// </summary>
public static class CommandLineErrors
{
    public const int ExitCode = 2;

    /// <summary>The line to print when the command line does not parse, or null when it does.</summary>
    public static string? Find(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var path = CommandPath(parse);
        var help = $"see `{path} --help`";
        // `stuff` and `stuff serve` (the commands that take unmatched tokens) give --KEY=VALUE to the web host.
        var passesSettings = !command.TreatUnmatchedTokensAsErrors;
        if (parse.UnmatchedTokens.FirstOrDefault(t => !(passesSettings && ServeCommand.IsHostSetting(t))) is { } token)
        {
            if (!token.StartsWith('-'))
            {
                var commands = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
                var word = commands.Count > 0 ? "command" : "argument";
                return $"{path}: unknown {word} '{token}'{Suggestion(token, commands)}; {help}.";
            }
            var name = token.Split('=')[0];
            return $"{path}: unknown option '{name}'{Suggestion(name, OptionNames(parse))}; {help}.";
        }
        if (parse.Errors.Count == 0) return null;
        // The parser's messages may span lines ("Must be one of:\n\t'self-signed'"): one line here.
        var message = string.Join(' ', parse.Errors[0].Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return $"{path}: {message.TrimEnd('.')}; {help}.";
    }

    /// <summary>`stuff setup`, `stuff` ... as a person typed it.</summary>
    private static string CommandPath(ParseResult parse) =>
        string.Join(' ', Lineage(parse).Reverse().Select(c => c is RootCommand ? "stuff" : c.Name));

    /// <summary>Every option the command takes: its own and those its parents pass down.</summary>
    private static List<string> OptionNames(ParseResult parse) =>
    [
        .. Lineage(parse).SelectMany((command, depth) => command.Options.Where(o => !o.Hidden && (depth == 0 || o.Recursive)))
            .SelectMany(o => o.Aliases.Prepend(o.Name)),
    ];

    /// <summary>The command that was parsed, then its parent, up to the root.</summary>
    private static IEnumerable<Command> Lineage(ParseResult parse)
    {
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            yield return result.Command;
    }

    private static string Suggestion(string typed, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Name: c, Distance: Distance(typed, c)))
            .Where(c => c.Distance <= Math.Max(2, c.Name.Length / 3))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Name is null ? "" : $" (did you mean {best.Name}?)";
    }

    /// <summary>Edit distance: the insertions, deletions and substitutions that turn one word into the other.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
