using System.CommandLine;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Hosting;

namespace Stuff.Cli;

/// <summary>`stuff serve` (also what `stuff` alone does): runs the site on Kestrel.</summary>
public static partial class ServeCommand
{
    private static readonly Option<string?> Urls = new("--urls")
    {
        Description = "Addresses to listen on, separated by ';' (default http://localhost:5000).",
        HelpName = "URLS",
    };

    private static readonly Option<string?> EnvironmentName = new("--environment")
    {
        Description = "The ASP.NET Core environment (default Production; Development migrates the embedded SQLite database itself).",
        HelpName = "NAME",
    };

    public static Command Create()
    {
        var command = new Command("serve", "Run the site. Settings may also be given as --KEY=VALUE (e.g. --STUFF_BASE_PATH=/stuff).")
        {
            Urls, EnvironmentName,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(StuffCommandLine.Guard(RunAsync));
        return command;
    }

    /// <summary>Makes the bare `stuff` serve, so that hosting tools that start the entry point get the site.</summary>
    public static void Configure(RootCommand root)
    {
        root.Options.Add(Urls);
        root.Options.Add(EnvironmentName);
        // Unmatched tokens are not the parser's errors on any command (the root's setting counts
        // for all); CommandLineErrors refuses them everywhere but where this flag is off.
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction(StuffCommandLine.Guard(RunAsync));
    }

    /// <summary>
    /// --KEY=VALUE in one token, as ASP.NET Core's command-line configuration reads it and as
    /// hosting tools (WebApplicationFactory, dotnet ef) pass --contentRoot=... and their settings.
    /// A bare --option without a value is a typo, not a setting.
    /// </summary>
    public static bool IsHostSetting(string token) => HostSetting().IsMatch(token);

    [System.Text.RegularExpressions.GeneratedRegex(@"^--[A-Za-z_][A-Za-z0-9_.:]*=")]
    private static partial System.Text.RegularExpressions.Regex HostSetting();

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var hostArgs = new List<string>(parse.UnmatchedTokens);
        if (parse.GetValue(Urls) is { Length: > 0 } urls) hostArgs.Add($"--urls={urls}");
        if (parse.GetValue(EnvironmentName) is { Length: > 0 } environment) hostArgs.Add($"--environment={environment}");

        var app = StuffHost.CreateBuilder([.. hostArgs], CliEnvironment.Of(parse).Overrides).BuildSite();
        // Only the embedded development database migrates itself; production migrates with
        // `stuff migrate`, and a database problem there shows in /readyz instead of stopping the site.
        var database = app.Services.GetRequiredService<DatabaseUrl>();
        if (app.Environment.IsDevelopment() && database.Provider == DatabaseProvider.Sqlite)
        {
            database.EnsureSqliteDirectory();
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().MigrateStuffAsync(cancellationToken);
        }

        DatabaseWarmUp.Start(app.Services, app.Lifetime.ApplicationStopping);
        await app.RunAsync();
        return 0;
    }
}
