using Npgsql;

using Stuff.Server;

namespace Stuff.Setup;

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
        $"    CREATE DATABASE {Layout.DrillDatabase} OWNER {Layout.ServiceUser};   (when missing: the restore drill's scratch database)",
    ];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (Secrets.ExistingPassword(context.Layout) is not { } password) return "no password yet";
        try
        {
            // The definitive check: the app's own credentials open the app's database over loopback.
            await using var connection = new NpgsqlConnection(Connection(password, Layout.Database));
            await connection.OpenAsync(cancellationToken);
            await using var drill = new NpgsqlCommand($"SELECT count(*) FROM pg_database WHERE datname = '{Layout.DrillDatabase}'", connection);
            return Convert.ToInt64(await drill.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1
                ? null
                : $"the drill's scratch database {Layout.DrillDatabase} is missing";
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
            SELECT 'CREATE DATABASE {Layout.DrillDatabase} OWNER {Layout.ServiceUser}' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{Layout.DrillDatabase}') \gexec
            """;
        await context.Shell.MustAsync("runuser", ["-u", "postgres", "--", "psql", "-X", "-q", "-d", "postgres"], cancellationToken, stdin: sql);
    }

    private static string Connection(string password, string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = 5432,
        Username = Layout.ServiceUser,
        Password = password,
        Database = database,
        Pooling = false,
        Timeout = 5,
    }.ConnectionString;
}
