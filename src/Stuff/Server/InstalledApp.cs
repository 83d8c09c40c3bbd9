namespace Stuff.Server;

/// <summary>Runs `stuff` commands of an installed release as the service user, with the installed settings.</summary>
public sealed class InstalledApp(IShell shell, Layout layout)
{
    public Task<ShellResult> RunAsync(string executable, CancellationToken cancellationToken, params string[] args) =>
        shell.RunAsync("runuser", ["-u", Layout.ServiceUser, "--", "env", $"{Configuration.EnvFile.PathVariable}={layout.EnvFile}", executable, .. args], cancellationToken);

    /// <summary>The command as a dry run shows it.</summary>
    public string Describe(string executable, string args) =>
        $"run as {Layout.ServiceUser}: {Configuration.EnvFile.PathVariable}={layout.EnvFile} {executable} {args}";

    /// <summary>What the release knows of the database's migrations (`stuff migrate --list --json`); null with the reason when it cannot tell.</summary>
    public async Task<(MigrationList? List, string? Error)> MigrationsAsync(string executable, CancellationToken cancellationToken)
    {
        var result = await RunAsync(executable, cancellationToken, "migrate", "--list", "--json");
        if (!result.Ok) return (null, result.Tail(2));
        return MigrationList.Parse(result.Output) is { } list ? (list, null) : (null, "stuff migrate --list --json printed no list");
    }
}
