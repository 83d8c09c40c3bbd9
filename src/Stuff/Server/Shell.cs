using System.Diagnostics;

namespace Stuff.Server;

public sealed record ShellResult(int ExitCode, string Output, string Error)
{
    public bool Ok => ExitCode == 0;

    /// <summary>The last lines of what the command printed, for an error message.</summary>
    public string Tail(int lines = 8) =>
        string.Join(Environment.NewLine, (Error + Output).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
}

/// <summary>
/// Runs system commands on the server: setup's actions, the doctor's questions, backups' PostgreSQL
/// tools. Arguments are passed as a list, never through a shell; secrets travel on standard
/// input or in the environment, never on a command line.
/// </summary>
public interface IShell
{
    Task<ShellResult> RunAsync(string command, IReadOnlyList<string> args, CancellationToken cancellationToken, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null);
}

public static class ShellExtensions
{
    /// <summary>Like RunAsync, but a command that does not exist gives null instead of an exception.</summary>
    public static async Task<ShellResult?> TryRunAsync(this IShell shell, string command, IReadOnlyList<string> args, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        try
        {
            return await shell.RunAsync(command, args, cancellationToken, environment: environment);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Runs a command that must succeed; a failure names the command and shows its last lines.</summary>
    public static async Task<ShellResult> MustAsync(this IShell shell, string command, IReadOnlyList<string> args, CancellationToken cancellationToken, string? stdin = null)
    {
        var result = await shell.RunAsync(command, args, cancellationToken, stdin);
        if (!result.Ok)
            throw new ServerException($"`{Format(command, args)}` failed (exit {result.ExitCode}):{Environment.NewLine}{result.Tail()}");
        return result;
    }

    /// <summary>A command line as a person would type it into a shell, quoted where needed.</summary>
    public static string Format(string command, IEnumerable<string> args) =>
        string.Join(' ', new[] { command }.Concat(args).Select(a => a.Length == 0 || a.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '*' or '(' or '|') ? $"'{a.Replace("'", "'\\''")}'" : a));
}

/// <summary>The one process runner: every command the server half starts goes through it.</summary>
public sealed class ProcessShell : IShell
{
    public async Task<ShellResult> RunAsync(string command, IReadOnlyList<string> args, CancellationToken cancellationToken, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        info.Environment["LC_ALL"] = "C";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;

        using var process = Process.Start(info) ?? throw new ServerException($"could not start {command}");
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new ShellResult(process.ExitCode, await output, await error);
    }
}
