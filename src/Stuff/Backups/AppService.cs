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

    private static AppInstances Instances(IShell shell) => new(shell, Layout, Layout.Releases, HasSystemd);

    /// <summary>The live release's instances: one port, or several behind the balancer.</summary>
    private static IReadOnlyList<int> LivePorts => Layout.Releases.LivePorts is { Count: > 0 } ports ? ports : [ReleaseStore.SlotPorts[0]];

    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        foreach (var port in LivePorts)
            if (await Instances(shell).IsRunningAsync(port, cancellationToken)) return true;
        return false;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Run(async () =>
    {
        foreach (var port in LivePorts) await Instances(shell).StopAsync(port, cancellationToken);
    });

    public Task StartAsync(CancellationToken cancellationToken) => Run(async () =>
    {
        foreach (var port in LivePorts) await Instances(shell).StartAsync(port, cancellationToken);
    });

    private static async Task Run(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (StepFailedException e)
        {
            throw new UserFacingException(e.Message);
        }
    }
}
