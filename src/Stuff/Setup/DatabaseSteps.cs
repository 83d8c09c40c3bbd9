using System.Security.Cryptography;
using Npgsql;
using Stuff.Configuration;

namespace Stuff.Setup;

/// <summary>
/// /etc/stuff/stuff.env: the app's settings and its database password. The password is made
/// on the first run and read back on every later one, so re-running setup keeps it.
/// </summary>
public static class Secrets
{
    public static string? ExistingPassword(Layout layout)
    {
        if (!File.Exists(layout.EnvFile)) return null;
        try
        {
            var values = EnvFile.Read(layout.EnvFile);
            if (values.GetValueOrDefault("DATABASE_URL") is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
                && uri.UserInfo.Split(':', 2) is [_, var password] && password.Length > 0)
                return Uri.UnescapeDataString(password);
        }
        catch (UserFacingException)
        {
            // An unreadable or unsafe file is rewritten with a fresh password below.
        }
        return null;
    }

    public static string Password(Layout layout) =>
        ExistingPassword(layout) ?? (_generated ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_'));

    private static string? _generated;

    public static FileSpec EnvFileSpec(SetupContext context) =>
        new(context.Layout.EnvFile, "root", Layout.ServiceUser, (UnixFileMode)0b110_100_000,
            EnvFileContent(context, Password(context.Layout)), EnvFileContent(context, "<generated on the first run, kept after>"));

    /// <summary>With app servers on other hosts (--app-host), every one must accept the others' cookies and forms.</summary>
    private const string SharedKeys = "# The app hosts behind the balancer share one key ring, in the database.\nSTUFF_KEYS=database";

    private static string EnvFileContent(SetupContext context, string password)
    {
        var layout = context.Layout;
        var hosts = context.Settings.Domain == "localhost" ? "localhost;127.0.0.1" : context.Settings.Domain;
        return $"""
            # Stuff's settings and secrets, written by `stuff setup`; the password is kept on re-runs.
            # Mode 0640 root:stuff: the service reads it, nobody else may. The app refuses to start otherwise.
            DATABASE_URL=postgres://{Layout.ServiceUser}:{password}@127.0.0.1:5432/{Layout.Database}
            STUFF_DOMAIN={context.Settings.Domain}
            STUFF_BASE_PATH={context.Settings.BasePath}
            STUFF_DATA_DIR={layout.DataDirectory}
            # Each instance listens on loopback only, on its slot's port (stuff serve --urls); Apache is the front door.
            AllowedHosts={hosts}{(context.Settings.AppHosts.Count > 0 ? "\n" + SharedKeys : "")}

            """;
    }
}

/// <summary>The app's role and database, owned by the role, with the password from the env file.</summary>
public sealed class PostgresRoleStep : Step
{
    public override string Name => "PostgreSQL role and database";

    public override IEnumerable<string> Describe(SetupContext context) =>
    [
        "run as postgres: psql (SQL on standard input, so the password is never on a command line):",
        "    SET password_encryption = 'scram-sha-256';",
        $"    CREATE ROLE {Layout.ServiceUser} LOGIN PASSWORD '<from {context.Layout.EnvFile}>';   (ALTER ROLE when it exists)",
        $"    CREATE DATABASE {Layout.Database} OWNER {Layout.ServiceUser};   (when missing)",
    ];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (Secrets.ExistingPassword(context.Layout) is not { } password) return "no password yet";
        try
        {
            // The definitive check: the app's own credentials open the app's database over loopback.
            await using var connection = new NpgsqlConnection(Connection(password));
            await connection.OpenAsync(cancellationToken);
            return null;
        }
        catch (NpgsqlException e)
        {
            return "the app cannot log in yet: " + e.Message;
        }
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var password = Secrets.Password(context.Layout).Replace("'", "''");
        var sql = $"""
            \set ON_ERROR_STOP on
            SET password_encryption = 'scram-sha-256';
            SELECT 'CREATE ROLE {Layout.ServiceUser} LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{Layout.ServiceUser}') \gexec
            ALTER ROLE {Layout.ServiceUser} LOGIN PASSWORD '{password}';
            SELECT 'CREATE DATABASE {Layout.Database} OWNER {Layout.ServiceUser}' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{Layout.Database}') \gexec
            """;
        await context.Shell.MustAsync("runuser", ["-u", "postgres", "--", "psql", "-X", "-q", "-d", "postgres"], cancellationToken, stdin: sql);
    }

    private static string Connection(string password) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = 5432,
        Username = Layout.ServiceUser,
        Password = password,
        Database = Layout.Database,
        Pooling = false,
        Timeout = 5,
    }.ConnectionString;
}

/// <summary>
/// pg_hba.conf lines that let the app's role in with a password over loopback, above the
/// distribution's own lines (the first match wins). Never trust or peer for the app.
/// </summary>
public sealed class PgHbaStep : Step
{
    public const string Marker = "# stuff: the app's role, password (scram-sha-256) over loopback only";

    public static string[] Lines =>
    [
        Marker,
        $"host    {Layout.Database}    {Layout.ServiceUser}    127.0.0.1/32    scram-sha-256",
        $"host    {Layout.Database}    {Layout.ServiceUser}    ::1/128         scram-sha-256",
    ];

    public override string Name => "PostgreSQL access (pg_hba.conf)";

    public override IEnumerable<string> Describe(SetupContext context) =>
        [$"insert above the first rule of {context.Layout.PgHbaFile}:", .. Lines.Select(l => "    | " + l), "run as postgres: psql -c 'SELECT pg_reload_conf()'"];

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var path = context.Layout.PgHbaFile;
        if (!File.Exists(path)) return Task.FromResult<string?>($"{path} is missing");
        return Task.FromResult(Apply(File.ReadAllText(path)) == File.ReadAllText(path) ? null : $"{path} lacks the app's lines");
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var path = context.Layout.PgHbaFile;
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        await File.WriteAllTextAsync(path, Apply(text), cancellationToken);
        await context.Shell.MustAsync("runuser", ["-u", "postgres", "--", "psql", "-XtAc", "SELECT pg_reload_conf()"], cancellationToken);
    }

    /// <summary>The file with our block right above the first rule; any older copy of the block is removed first.</summary>
    public static string Apply(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').ToList();
        lines.RemoveAll(l => Lines.Contains(l));
        var first = lines.FindIndex(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
        lines.InsertRange(first < 0 ? lines.Count : first, Lines);
        return string.Join('\n', lines);
    }
}

/// <summary>Runs a `stuff` command of the release being installed as the service user, with the installed settings.</summary>
public static class InstalledApp
{
    public static Task<ShellResult> RunAsync(SetupContext context, CancellationToken cancellationToken, params string[] args) =>
        RunAsync(context, context.ReleaseExecutable, cancellationToken, args);

    /// <summary>The same with another release's executable (rollback asks both the live and the older one).</summary>
    public static Task<ShellResult> RunAsync(SetupContext context, string executable, CancellationToken cancellationToken, params string[] args) =>
        context.Shell.RunAsync("runuser", ["-u", Layout.ServiceUser, "--", "env", $"STUFF_ENV_FILE={context.Layout.EnvFile}", executable, .. args], cancellationToken);

    public static string Describe(SetupContext context, string args) =>
        $"run as {Layout.ServiceUser}: STUFF_ENV_FILE={context.Layout.EnvFile} {context.ReleaseExecutable} {args}";
}

public sealed class MigrateStep : Step
{
    public override string Name => "Database migrations";

    public override IEnumerable<string> Describe(SetupContext context) => [InstalledApp.Describe(context, "migrate")];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var list = await InstalledApp.RunAsync(context, cancellationToken, "migrate", "--list");
        if (!list.Ok) return "cannot list migrations: " + list.Tail(2);
        return list.Output.Contains("Nothing pending.", StringComparison.Ordinal) ? null : "migrations are pending";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var result = await InstalledApp.RunAsync(context, cancellationToken, "migrate");
        if (!result.Ok) throw new StepFailedException("stuff migrate failed:" + Environment.NewLine + result.Tail());
    }
}

public sealed class CollectStaticStep : Step
{
    public override string Name => "Static files";

    public override IEnumerable<string> Describe(SetupContext context) => [InstalledApp.Describe(context, $"collectstatic --output {context.Layout.StaticRoot}") + "   (as root)"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var result = await context.Shell.RunAsync(context.ReleaseExecutable, ["collectstatic", "--check", "--output", context.Layout.StaticRoot], cancellationToken);
        return result.Ok ? null : result.Output.Trim();
    }

    // Files of the live release stay beside the new ones: its pages keep working until it stops.
    public override Task ApplyAsync(SetupContext context, CancellationToken cancellationToken) =>
        CollectAsync(context, context.ReleaseExecutable, cancellationToken);

    /// <summary>Copies a release's static files where Apache serves them.</summary>
    public static async Task CollectAsync(SetupContext context, string executable, CancellationToken cancellationToken)
    {
        await context.Shell.MustAsync(executable, ["collectstatic", "--output", context.Layout.StaticRoot], cancellationToken);
        await context.Shell.MustAsync("chown", ["-R", $"root:{Layout.DeployGroup}", context.Layout.StaticRoot], cancellationToken);
        await context.Shell.MustAsync("chmod", ["-R", "u=rwX,g=rwX,o=rX", context.Layout.StaticRoot], cancellationToken);
    }
}
