using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>The settings the deployed site needs are present and well formed.</summary>
public sealed class SettingsCheck : DoctorCheck
{
    private const string Id = "settings";
    private const string Name = "Settings";

    public override Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        if (context.Env is null)
            return Task.FromResult<IReadOnlyList<Finding>>([Finding.Skipped(Id, Name, "needs a readable env file")]);

        var path = context.EnvFilePath;
        var problems = new List<string>();
        var fixes = new List<string>();
        if (context.Value("DATABASE_URL") is null)
        {
            problems.Add("DATABASE_URL is missing: the app would fall back to an embedded SQLite file instead of the server's PostgreSQL");
            fixes.Add($"DATABASE_URL=postgres://{Layout.ServiceUser}:PASSWORD@127.0.0.1:5432/{Layout.Database}  (PASSWORD is the role's; `stuff setup` writes the whole file)");
        }
        if (context.Value("STUFF_DOMAIN") is null)
        {
            problems.Add("STUFF_DOMAIN is missing: the doctor cannot tell which name the site is reached by");
            fixes.Add($"STUFF_DOMAIN={context.Site?.ServerName ?? "example.org"}  (the ServerName in Apache's site)");
        }
        foreach (var problem in context.Options.Problems())
        {
            problems.Add(problem);
            fixes.Add(problem.Split(' ')[0] switch
            {
                "STUFF_BASE_PATH" => $"STUFF_BASE_PATH={ProxiedPath(context) ?? "/stuff"}",
                "STUFF_DOMAIN" => $"STUFF_DOMAIN={context.Site?.ServerName ?? "example.org"}",
                _ => $"DATABASE_URL=postgres://{Layout.ServiceUser}:PASSWORD@127.0.0.1:5432/{Layout.Database}",
            });
        }

        if (problems.Count > 0)
        {
            var fix = $"edit {path} so that it says:\n" + string.Join("\n", fixes.Select(f => "  " + f)) + $"\nthen restart the app: {context.RestartApp}";
            return Task.FromResult<IReadOnlyList<Finding>>([Finding.Failed(Id, Name, $"{problems.Count} setting(s) missing or malformed in {path}", string.Join("\n", problems), fix)]);
        }
        var database = context.Options.Database;
        return Task.FromResult<IReadOnlyList<Finding>>(
            [Finding.Ok(Id, Name, $"database {database}, domain {context.Options.Domain}, base path {(context.Options.NormalizedBasePath.Length > 0 ? context.Options.NormalizedBasePath : "/")}")]);
    }

    /// <summary>The path Apache hands to the app, such as /stuff: the base path the app must have.</summary>
    public static string? ProxiedPath(DoctorContext context) =>
        context.Site?.Proxies.Select(p => p.Prefix.TrimEnd('/')).FirstOrDefault();
}
