using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// pg_hba.conf lines that let the app's role in with a password over loopback, above the
/// distribution's own lines (the first match wins). Never trust or peer for the app.
/// </summary>
public sealed class PgHbaStep : Step
{
    public override string Name => "PostgreSQL access (pg_hba.conf)";

    public override IEnumerable<string> Describe(SetupContext context) =>
        [$"insert above the first rule of {context.Layout.PgHbaFile}:", .. PgHba.Lines.Select(l => "    | " + l), "run as postgres: psql -c 'SELECT pg_reload_conf()'"];

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var path = context.Layout.PgHbaFile;
        if (!File.Exists(path)) return Task.FromResult<string?>($"{path} is missing");
        return Task.FromResult(PgHba.Apply(File.ReadAllText(path)) == File.ReadAllText(path) ? null : $"{path} lacks the app's lines");
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var path = context.Layout.PgHbaFile;
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        await File.WriteAllTextAsync(path, PgHba.Apply(text), cancellationToken);
        await context.Shell.MustAsync("runuser", ["-u", "postgres", "--", "psql", "-XtAc", "SELECT pg_reload_conf()"], cancellationToken);
    }
}
