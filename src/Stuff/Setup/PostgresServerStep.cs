using Stuff.Server;

namespace Stuff.Setup;

/// <summary>A running PostgreSQL cluster: Debian creates one with the package; Fedora needs initdb.</summary>
public sealed class PostgresServerStep : Step
{
    public override string Name => "PostgreSQL server";

    private static string Version(SetupContext c) => c.Facts.PostgresVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override IEnumerable<string> Describe(SetupContext context) => context.Facts.Family == Family.Debian
        ? [$"run pg_ctlcluster {Version(context)} main start   (when the cluster is not online)"]
        : ["run postgresql-setup --initdb   (when /var/lib/pgsql/data/PG_VERSION is missing)", "run systemctl enable --now postgresql"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.Family == Family.Fedora && !File.Exists("/var/lib/pgsql/data/PG_VERSION")) return "the cluster is not initialised";
        return await AcceptsAsync(context, cancellationToken) ? null : "the server is not accepting connections";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.Family == Family.Debian)
        {
            var clusters = await context.Shell.MustAsync("pg_lsclusters", ["--no-header"], cancellationToken);
            if (!clusters.Output.Contains($"{Version(context)} main", StringComparison.Ordinal))
                await context.Shell.MustAsync("pg_createcluster", [Version(context), "main"], cancellationToken);
            await context.Shell.MustAsync("pg_ctlcluster", [Version(context), "main", "start"], cancellationToken);
        }
        else
        {
            if (!File.Exists("/var/lib/pgsql/data/PG_VERSION"))
                await context.Shell.MustAsync("postgresql-setup", ["--initdb"], cancellationToken);
            await context.Shell.MustAsync("systemctl", ["enable", "--now", "postgresql"], cancellationToken);
        }
        await WaitAsync(context, cancellationToken);
    }

    private static async Task<bool> AcceptsAsync(SetupContext context, CancellationToken cancellationToken) =>
        await context.Shell.TryRunAsync("runuser", ["-u", "postgres", "--", "psql", "-XtAc", "SELECT 1"], cancellationToken) is { Ok: true };

    private static async Task WaitAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (!await Wait.UntilAsync(token => AcceptsAsync(context, token), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), cancellationToken))
            throw new ServerException("PostgreSQL did not accept connections within 30 s; see its log under /var/log/postgresql or `journalctl -u postgresql`.");
    }
}
