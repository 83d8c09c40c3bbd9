using Stuff.Configuration;
using Stuff.Setup;

namespace Stuff.Doctor;

/// <summary>The env file exists, the service user can read it, and nobody else can.</summary>
public sealed class EnvFileCheck : DoctorCheck
{
    private const string Id = "env-file";
    private const string Name = "Env file";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var path = context.EnvFilePath;
        var owner = $"root:{Layout.ServiceUser}";
        var fix = $"sudo chown {owner} {path} && sudo chmod 0640 {path}";
        if (!File.Exists(path))
        {
            return [Finding.Failed(Id, Name, $"{path} does not exist",
                "the app has no database URL or secrets, so it cannot start",
                $"run setup again, which writes it: sudo {context.Layout.Executable} setup --domain {context.Domain} (with the --tls options you used)")];
        }

        var mode = File.GetUnixFileMode(path);
        var description = $"mode {Ownership.Octal(mode)}, {Ownership.Describe(path)}";
        const UnixFileMode others = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & others) != 0)
        {
            return [Finding.Failed(Id, Name, $"{path} is open to every user ({description})",
                "it holds the database password and other users may read or change it; the app refuses to start with it",
                fix)];
        }
        if (!await context.ServiceUserCanAsync("-r", path, cancellationToken))
        {
            return [Finding.Failed(Id, Name, $"the service user {Layout.ServiceUser} cannot read {path} ({description})",
                "the app runs as that user and stops at start-up without its settings", fix)];
        }
        if (context.EnvError is { } error)
            return [Finding.Failed(Id, Name, $"{path} cannot be read as settings", error, $"edit {path}: one KEY=VALUE per line, '#' starts a comment")];
        return [Finding.Ok(Id, Name, $"{path} ({description})")];
    }
}

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
