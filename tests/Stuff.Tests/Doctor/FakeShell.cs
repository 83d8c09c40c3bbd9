using Stuff.Server;
using Stuff.Setup;

namespace Stuff.Tests.Doctor;

/// <summary>Answers commands with recorded outputs (from a Fedora host); anything not recorded fails as a missing command would.</summary>
public sealed class RecordedShell : IShell
{
    private readonly Dictionary<string, string> _outputs = new(StringComparer.Ordinal);

    public List<string> Ran { get; } = [];

    public RecordedShell Answer(string commandLine, string output)
    {
        _outputs[commandLine] = output;
        return this;
    }

    public Task<ShellResult> RunAsync(string command, IReadOnlyList<string> args, CancellationToken cancellationToken, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var line = string.Join(' ', new[] { command }.Concat(args));
        Ran.Add(line);
        return Task.FromResult(_outputs.TryGetValue(line, out var output)
            ? new ShellResult(0, output, "")
            : new ShellResult(1, "", $"{command}: not recorded"));
    }
}
