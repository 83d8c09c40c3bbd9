using System.CommandLine;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Hosting;

namespace Stuff.Cli;

/// <summary>`stuff serve` (also what `stuff` alone does): runs the site on Kestrel.</summary>
public static class ServeCommand
{
    private static readonly Option<string?> Urls = new("--urls")
    {
        Description = "Addresses to listen on, separated by ';' (default http://localhost:5000).",
        HelpName = "URLS",
    };

    public static Command Create()
    {
        var command = new Command("serve", "Run the site. Other ASP.NET Core host arguments (--environment ...) are passed through.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(Urls);
        command.SetAction(StuffCommandLine.Guard(RunAsync));
        return command;
    }

    /// <summary>Makes the bare `stuff` serve, so that hosting tools that start the entry point get the site.</summary>
    public static void Configure(RootCommand root)
    {
        root.TreatUnmatchedTokensAsErrors = false;
        root.Options.Add(Urls);
        root.SetAction(StuffCommandLine.Guard(RunAsync));
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        // Host arguments are options (--environment Production); a bare word is a mistyped command.
        if (parse.UnmatchedTokens.FirstOrDefault() is { } first && !first.StartsWith('-'))
            throw new UserFacingException($"Unknown command '{first}'. Run `stuff --help` to see the commands.");

        var hostArgs = new List<string>(parse.UnmatchedTokens);
        if (parse.GetValue(Urls) is { Length: > 0 } urls) hostArgs.AddRange(["--urls", urls]);

        var app = StuffHost.CreateBuilder([.. hostArgs]).BuildSite();
        // Only the embedded development database migrates itself; production migrates with
        // `stuff migrate`, and a database problem there shows in /readyz instead of stopping the site.
        var database = app.Services.GetRequiredService<DatabaseUrl>();
        if (app.Environment.IsDevelopment() && database.Provider == DatabaseProvider.Sqlite)
        {
            database.EnsureSqliteDirectory();
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().MigrateStuffAsync(cancellationToken);
        }

        await app.RunAsync();
        return 0;
    }
}
