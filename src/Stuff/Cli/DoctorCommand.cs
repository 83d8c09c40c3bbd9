using System.CommandLine;
using Stuff.Configuration;
using Stuff.Doctor;
using Stuff.Server;

namespace Stuff.Cli;

/// <summary>
/// `stuff doctor`: checks the deployed site end to end on the server and, for everything that
/// is wrong, says why in plain words and what to run. It changes nothing. Exit 0 only when no
/// check failed.
/// </summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the findings as JSON." };
        var envFile = new Option<string?>("--env-file")
        {
            Description = "The deployed settings (default: $STUFF_ENV_FILE, else /etc/stuff/stuff.env).",
            HelpName = "FILE",
        };
        var command = new Command("doctor", "Check the deployed site (settings, database, service, Apache, TLS, SELinux ...) and say how to fix what is wrong; changes nothing.")
        {
            json, envFile,
        };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var context = await ContextAsync(parse, parse.GetValue(envFile), cancellationToken);
            var facts = context.Facts;
            var host = facts.Description;

            var findings = await Examination.RunAsync(context, cancellationToken);
            if (parse.GetValue(json))
            {
                await Report.WriteJsonAsync(output, host, findings);
            }
            else
            {
                await output.WriteLineAsync($"stuff doctor on {host}{(context.IsRoot ? "" : $", as {Environment.UserName} (checks that need root are skipped)")}");
                await Report.WriteTextAsync(output, findings);
            }
            return Report.ExitCode(findings);
        }));
        return command;
    }

    /// <summary>What the doctor examines on this host: the settings in <paramref name="envFile"/>, else $STUFF_ENV_FILE, else the installed ones.</summary>
    public static async Task<DoctorContext> ContextAsync(ParseResult parse, string? envFile, CancellationToken cancellationToken)
    {
        var shell = new ProcessShell();
        var facts = await HostFacts.DetectAsync(shell, cancellationToken);
        var path = envFile
            ?? (CliEnvironment.Of(parse).Get(EnvFile.PathVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null)
            ?? new Layout(facts.Family, facts.PostgresVersion).EnvFile;
        return new DoctorContext(shell, facts, Path.GetFullPath(path), Environment.IsPrivilegedProcess);
    }
}
