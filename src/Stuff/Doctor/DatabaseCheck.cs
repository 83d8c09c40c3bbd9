using Npgsql;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>The app's own credentials open the app's database; a failure is named by its error code.</summary>
public sealed class DatabaseCheck : DoctorCheck
{
    private const string Id = "database";
    private const string Name = "Database";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        DatabaseUrl database;
        try
        {
            database = context.Value("DATABASE_URL") is null ? throw new FormatException() : context.Options.Database;
        }
        catch (FormatException)
        {
            return [Finding.Skipped(Id, Name, "needs a valid DATABASE_URL (see Settings)")];
        }
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            context.DatabaseConnected = File.Exists(database.SqlitePath);
            return context.DatabaseConnected
                ? [Finding.Ok(Id, Name, $"embedded SQLite at {database.SqlitePath} (one server only)")]
                : [Finding.Failed(Id, Name, $"{database.SqlitePath} does not exist", "the embedded database was never created", context.AsServiceUser("migrate"))];
        }

        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Timeout = 5, Pooling = false };
        var where = $"{builder.Host}:{builder.Port}";
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            context.DatabaseConnected = true;
            return [Finding.Ok(Id, Name, $"{builder.Username} opened {builder.Database} at {where} (PostgreSQL {connection.PostgreSqlVersion})")];
        }
        catch (Exception e) when (DatabaseProblem.From(e) is { } problem)
        {
            return [await DiagnoseAsync(context, builder, problem, cancellationToken)];
        }
    }

    private static async Task<Finding> DiagnoseAsync(DoctorContext context, NpgsqlConnectionStringBuilder builder, DatabaseProblem problem, CancellationToken cancellationToken)
    {
        var role = builder.Username ?? Layout.ServiceUser;
        var name = builder.Database ?? Layout.Database;
        var where = $"{builder.Host}:{builder.Port}";
        var local = builder.Host is "127.0.0.1" or "localhost" or "::1";
        var summary = $"{role} cannot open {name} at {where}: {problem.Code}";
        var envFile = context.EnvFilePath;
        var rerunSetup = $"or run setup again, which makes the role, the database and pg_hba.conf right: sudo {context.Layout.Executable} setup --domain {context.Domain} (with your --tls options)";

        switch (problem.Fault)
        {
            case DatabaseFault.NotRunning:
                var finding = Finding.Failed(Id, Name, summary,
                    $"nothing accepts connections at {where}: the PostgreSQL server is not running{(local ? "" : " there")}, or it listens on another port",
                    local ? StartPostgres(context) : $"start PostgreSQL on {builder.Host}, or correct the host and port in DATABASE_URL in {envFile}");
                return local && context.Facts.Family == Family.Debian && context.IsRoot
                    ? finding with { Details = await LinesAsync(context, "pg_lsclusters", [], cancellationToken) }
                    : finding;

            case DatabaseFault.PasswordFailed or DatabaseFault.RoleMissing:
                // With password authentication the server says "password failed" for a missing role too;
                // as root the doctor can ask the server itself which it is.
                var exists = problem.Fault == DatabaseFault.RoleMissing ? false : await RoleExistsAsync(context, role, local, cancellationToken);
                if (exists == false)
                {
                    return Finding.Failed(Id, Name, $"{role} cannot open {name} at {where}: role-missing",
                        $"PostgreSQL has no role named {role}",
                        $"sudo -u postgres createuser --login --pwprompt {role}   (type the password from DATABASE_URL in {envFile})\n{rerunSetup}");
                }
                return Finding.Failed(Id, Name, summary,
                    $"the password in DATABASE_URL ({envFile}) is not the password of the role {role}" + (exists is null ? " (or the role does not exist: run the doctor as root to tell)" : ""),
                    $"sudo -u postgres psql -c '\\password {role}'   (type the password from DATABASE_URL in {envFile})\n{rerunSetup}");

            case DatabaseFault.AccessRejected:
                return Finding.Failed(Id, Name, summary,
                    $"{problem.Cause}; the first line of pg_hba.conf that matches this connection decides, and it does not let {role} in with a password",
                    $"in {context.Layout.PgHbaFile}, put these lines above every other rule (and remove any rule above them that rejects {role}):\n" +
                    string.Join("\n", PgHba.Lines.Skip(1).Select(l => "  " + l)) +
                    "\nthen reload PostgreSQL: sudo -u postgres psql -c 'SELECT pg_reload_conf()'");

            case DatabaseFault.DatabaseMissing:
                return Finding.Failed(Id, Name, summary, $"the server has no database named {name}",
                    $"sudo -u postgres createdb --owner {role} {name}\nthen create the tables: {context.AsServiceUser("migrate")}");

            case DatabaseFault.Starting:
                return Finding.Failed(Id, Name, summary, problem.Cause, "wait a minute and run the doctor again; if it stays, read the PostgreSQL log");

            case DatabaseFault.TooManyConnections:
                return Finding.Failed(Id, Name, summary, problem.Cause,
                    "raise max_connections in postgresql.conf and restart PostgreSQL, or lower Maximum Pool Size in DATABASE_URL on each app server");

            case DatabaseFault.Unreachable:
                return Finding.Failed(Id, Name, summary, problem.Cause, $"correct the host in DATABASE_URL in {envFile}, or open the network path to {where}");

            default:
                return Finding.Failed(Id, Name, summary, problem.Cause, "read the PostgreSQL server's log for the reason (Debian: /var/log/postgresql/; Fedora: /var/lib/pgsql/data/log/)");
        }
    }

    private static string StartPostgres(DoctorContext context) => context.Facts switch
    {
        { HasSystemd: true, Family: Family.Debian } => "sudo systemctl enable --now postgresql",
        { HasSystemd: true } => "sudo systemctl enable --now postgresql   (first time on Fedora/RHEL: sudo postgresql-setup --initdb)",
        { Family: Family.Debian } => $"sudo pg_ctlcluster {context.Facts.PostgresVersion} main start",
        _ => "sudo -u postgres pg_ctl -D /var/lib/pgsql/data -l /var/lib/pgsql/logfile start",
    };

    /// <summary>Asks the local server, as its superuser, whether the role exists; null when that cannot be asked.</summary>
    private static async Task<bool?> RoleExistsAsync(DoctorContext context, string role, bool local, CancellationToken cancellationToken)
    {
        if (!context.IsRoot || !local) return null;
        var sql = $"SELECT count(*) FROM pg_roles WHERE rolname = '{role.Replace("'", "''", StringComparison.Ordinal)}'";
        var result = await context.Shell.TryRunAsync("runuser", ["-u", "postgres", "--", "psql", "-XtAc", sql], cancellationToken);
        return result is { Ok: true } ? result.Output.Trim() != "0" : null;
    }

    private static async Task<IReadOnlyList<string>> LinesAsync(DoctorContext context, string command, string[] args, CancellationToken cancellationToken)
    {
        var result = await context.Shell.TryRunAsync(command, args, cancellationToken);
        return result is null ? [] : result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
