using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Doctor;

namespace Stuff.Cli;

/// <summary>`stuff check`: reads the configuration and tries it, listing every problem found.</summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var deploy = new Option<bool>("--deploy")
        {
            Description = "Check the settings a production site needs (environment, HTTPS, cookies, allowed hosts, proxies, keys, secrets, password rules); no network or root needed.",
        };
        var command = new Command("check", "Check the configuration and the database connection; exits non-zero when something is wrong.") { deploy };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(deploy)) return await DeployAsync(parse, output);
            var problems = new List<string>();

            WebApplication? app = null;
            try
            {
                app = CliHost.Build(parse);
                _ = app.Services.GetRequiredService<IOptions<StuffOptions>>().Value;
            }
            catch (UserFacingException e)
            {
                problems.Add(e.Message);
            }
            catch (OptionsValidationException e)
            {
                problems.AddRange(e.Failures);
                await (app?.DisposeAsync() ?? ValueTask.CompletedTask);
                app = null;
            }

            if (app is not null)
            {
                await using var _ = app;
                var database = app.Services.GetRequiredService<DatabaseUrl>();
                await output.WriteLineAsync($"Database: {database}");
                await output.WriteLineAsync($"Environment: {app.Environment.EnvironmentName}");
                CheckDataDirectory(app, problems);
                await CheckDatabaseAsync(app, database, problems, cancellationToken);
            }

            if (problems.Count == 0)
            {
                await output.WriteLineAsync("No problems found.");
                return 0;
            }
            var error = parse.InvocationConfiguration.Error;
            await error.WriteLineAsync($"{problems.Count} problem(s) found:");
            foreach (var problem in problems) await error.WriteLineAsync("  - " + problem);
            return 1;
        }));
        return command;
    }

    /// <summary>The settings-only deploy checks; the configuration's own problems come first.</summary>
    private static async Task<int> DeployAsync(ParseResult parse, TextWriter output)
    {
        IReadOnlyList<Finding> findings;
        try
        {
            await using var app = CliHost.Build(parse);
            _ = app.Services.GetRequiredService<IOptions<StuffOptions>>().Value;
            findings = DeploySettingsChecks.Run(app);
        }
        catch (OptionsValidationException e)
        {
            findings = [Finding.Failed("settings", "Settings", "malformed", string.Join("\n", e.Failures), "correct the settings named above")];
        }
        await Report.WriteTextAsync(output, findings);
        return Report.ExitCode(findings);
    }

    private static void CheckDataDirectory(WebApplication app, List<string> problems)
    {
        var directory = app.Services.GetRequiredService<IOptions<StuffOptions>>().Value.ResolvedDataDirectory;
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".check-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"The data directory {directory} is not writable ({e.Message}); the service user must own it, or set STUFF_DATA_DIR.");
        }
    }

    private static async Task CheckDatabaseAsync(WebApplication app, DatabaseUrl database, List<string> problems, CancellationToken cancellationToken)
    {
        if (database.SqlitePath is { } path && !File.Exists(path))
        {
            problems.Add($"The database file {path} does not exist yet; run: stuff migrate");
            return;
        }
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            if (pending > 0) problems.Add($"{pending} migration(s) pending on {database}; run: stuff migrate");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            problems.Add($"Cannot use the database {database}: {UserFacingException.Describe(e.InnerException as System.Data.Common.DbException ?? e)}");
        }
    }
}
