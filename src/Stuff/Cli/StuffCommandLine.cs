using System.CommandLine;
using System.CommandLine.Invocation;
using Microsoft.Extensions.Options;
using Stuff.Configuration;
using Stuff.Hosting;

namespace Stuff.Cli;

/// <summary>The `stuff` command: the site and its management commands, like Django's manage.py.</summary>
public static class StuffCommandLine
{
    /// <summary>Shows stack traces and the framework's own log lines.</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show details of errors and the framework's log output.",
        Recursive = true,
    };

    public static StuffRootCommand Build(CliEnvironment? environment = null)
    {
        var root = new StuffRootCommand(environment ?? CliEnvironment.Process, "Stuff: a small site for your stuff, and the commands that run it. With no command, serves the site.");
        root.Options.Add(Verbose);
        foreach (var option in root.Options.OfType<VersionOption>())
            option.Action = new PrintVersion();

        ServeCommand.Configure(root);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(CreateSuperuserCommand.Create());
        root.Subcommands.Add(CreateUserCommand.Create());
        root.Subcommands.Add(ChangePasswordCommand.Create());
        root.Subcommands.Add(CollectStaticCommand.Create());
        root.Subcommands.Add(DumpDataCommand.Create());
        root.Subcommands.Add(LoadDataCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(SetupCommand.Create());
        root.Subcommands.Add(RollbackCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(LogsCommand.Create());
        root.Subcommands.Add(SuperviseCommand.Create());
        root.Subcommands.Add(HealthcheckCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs one command line. An unknown option, a stray word or a bad value ends it
    /// before anything runs, with one line and exit code 2, so that a typo is never silently dropped.
    /// </summary>
    /// <param name="environment">The settings' environment (the process's, unless a test runs the command in its own process).</param>
    /// <param name="output">Where the command writes its results (standard output unless given).</param>
    /// <param name="error">Where it writes errors and progress (standard error unless given).</param>
    public static async Task<int> RunAsync(string[] args, CliEnvironment? environment = null, TextWriter? output = null, TextWriter? error = null)
    {
        var parse = Build(environment).Parse(args);
        var configuration = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            // The web host handles SIGTERM and Ctrl+C itself and drains requests; a second handler would cut that short.
            ProcessTerminationTimeout = null,
        };
        if (output is not null) configuration.Output = output;
        if (error is not null) configuration.Error = error;
        if (CommandLineErrors.Find(parse) is { } mistake)
        {
            await configuration.Error.WriteLineAsync(mistake);
            return CommandLineErrors.ExitCode;
        }
        if (AsServiceUser.Applies(parse, environment ?? CliEnvironment.Process)) return await AsServiceUser.RunAsync(args);
        return await parse.InvokeAsync(configuration);
    }

    /// <summary>
    /// Wraps a command's work so that failures end as one line for a person and a non-zero
    /// exit code; --verbose adds the exception itself.
    /// </summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Guard(Func<ParseResult, CancellationToken, Task<int>> action) =>
        async (parse, cancellationToken) =>
        {
            try
            {
                return await action(parse, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("stuff: interrupted.");
                return 130;
            }
            catch (Exception e) when (e is not HostAbortedException)
            {
                var error = parse.InvocationConfiguration.Error;
                await error.WriteLineAsync("stuff: error: " + UserFacingException.Describe(e) + (e is UserFacingException ? "" : WhichDatabase(parse, e)));
                if (parse.GetValue(Verbose)) await error.WriteLineAsync(e.ToString());
                else if (e is not UserFacingException) await error.WriteLineAsync("(run again with --verbose for details)");
                return e is UserFacingException ? 1 : 2;
            }
        };

    /// <summary>
    /// For a database that could not be reached or refused the connection: which database was
    /// tried (its URL without the password) and, on a server, whether the installed settings
    /// were passed over; empty for any other error.
    /// </summary>
    private static string WhichDatabase(ParseResult parse, Exception e)
    {
        if (Data.DatabaseProblem.From(e) is null) return "";
        try
        {
            using var app = CliHost.Build(parse);
            var tried = $" (database: {app.Services.GetRequiredService<DatabaseUrl>()}";
            var used = EnvFile.UsedPath(app.Configuration);
            if (File.Exists(EnvFile.InstalledPath) && used != EnvFile.InstalledPath)
                tried += used is null
                    ? $"; the installed settings in {EnvFile.InstalledPath} were not read: set {EnvFile.PathVariable}={EnvFile.InstalledPath}, or run /opt/stuff/bin/stuff"
                    : $", from {used}; the installed settings in {EnvFile.InstalledPath} were not read";
            return tried + ")";
        }
        catch (Exception)
        {
            // The settings themselves are broken: the error above is what there is to say.
            return "";
        }
    }

    /// <summary>
    /// Refuses a number outside <paramref name="min"/>..<paramref name="max"/> as a parse error;
    /// a value that is no number at all is the parser's own error, so only numbers are judged here.
    /// </summary>
    public static void AcceptRange(this Option<int> option, int min, int max, string message) =>
        AcceptRange((Option)option, min, max, message);

    public static void AcceptRange(this Option<int?> option, int min, int max, string message) =>
        AcceptRange((Option)option, min, max, message);

    private static void AcceptRange(Option option, int min, int max, string message) =>
        option.Validators.Add(result =>
        {
            if (result.Tokens is [var token]
                && int.TryParse(token.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
                && (value < min || value > max))
                result.AddError(message);
        });

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"stuff {AppInfo.Version} (commit {AppInfo.Commit})");
            return 0;
        }
    }
}
