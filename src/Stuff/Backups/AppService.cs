using Stuff.Configuration;
using Stuff.Setup;

namespace Stuff.Backups;

/// <summary>
/// The installed app's service, as `stuff setup` made it: the systemd unit, or the supervisor
/// with its pid file where systemd does not run. Restore stops it so nothing writes meanwhile.
/// </summary>
public sealed class AppService(IShell shell)
{
    private static readonly Layout Layout = new(Family.Debian, 0);

    private static bool HasSystemd => Directory.Exists("/run/systemd/system");

    /// <summary>True when the installed service's settings name this same database.</summary>
    public static bool Uses(DatabaseUrl database)
    {
        try
        {
            if (!File.Exists(Layout.EnvFile)) return false;
            var values = EnvFile.ReadValues(Layout.EnvFile);
            var installed = DatabaseUrl.Parse(values.GetValueOrDefault("DATABASE_URL"), values.GetValueOrDefault("STUFF_DATA_DIR") ?? Layout.DataDirectory);
            return installed.Provider == database.Provider && installed.Display == database.Display;
        }
        catch (Exception e) when (e is UserFacingException or FormatException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken) =>
        HasSystemd
            ? (await shell.TryRunAsync("systemctl", ["is-active", "--quiet", "stuff"], cancellationToken))?.Ok == true
            : Supervisor.RunningPid(Layout.PidFile) is not null;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (HasSystemd) await Must(shell.RunAsync("systemctl", ["stop", "stuff"], cancellationToken), "systemctl stop stuff");
        else await Supervisor.StopAsync(Layout.PidFile, cancellationToken);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (HasSystemd) await Must(shell.RunAsync("systemctl", ["start", "stuff"], cancellationToken), "systemctl start stuff");
        else await Supervisor.StartAsync(shell, Layout, cancellationToken);
    }

    private static async Task Must(Task<ShellResult> run, string what)
    {
        var result = await run;
        if (!result.Ok) throw new UserFacingException($"`{what}` failed: {result.Tail(3)}");
    }
}
