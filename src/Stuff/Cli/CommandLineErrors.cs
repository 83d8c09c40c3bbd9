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
        var passesSettings = ServeCommand.PassesSettingsToTheHost(command);
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
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Add(result.Command is RootCommand ? "stuff" : result.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>Every option the command takes: its own and those its parents pass down.</summary>
    private static List<string> OptionNames(ParseResult parse)
    {
        var names = new List<string>();
        var own = true;
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            foreach (var option in result.Command.Options.Where(o => !o.Hidden && (own || o.Recursive)))
                names.AddRange([option.Name, .. option.Aliases]);
            own = false;
        }
        return names;
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
