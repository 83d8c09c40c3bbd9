using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Backups;

/// <summary>
/// The installed app's live instances, as `stuff setup` made them: systemd units, or supervisors
/// with their pid files where systemd does not run. Restore stops them so nothing writes meanwhile.
/// </summary>
public sealed class AppService(AppInstances instances, ReleaseStore releases)
{
    /// <summary>The service on this server, as setup installed it.</summary>
    public static async Task<AppService> InstalledAsync(IShell shell, CancellationToken cancellationToken)
    {
        var facts = await HostFacts.DetectAsync(shell, cancellationToken);
        var layout = new Layout(facts.Family, facts.PostgresVersion);
        return new AppService(new AppInstances(shell, layout, layout.Releases, facts.HasSystemd), layout.Releases);
    }

    /// <summary>True when the installed service's settings name this same database.</summary>
    public static bool Uses(DatabaseUrl database)
    {
        try
        {
            if (!File.Exists(EnvFile.InstalledPath)) return false;
            var values = EnvFile.ReadValues(EnvFile.InstalledPath);
            var installed = DatabaseUrl.Parse(values.GetValueOrDefault("DATABASE_URL"), values.GetValueOrDefault("STUFF_DATA_DIR") ?? Layout.DefaultDataDirectory);
            return installed.Provider == database.Provider && installed.Display == database.Display;
        }
        catch (Exception e) when (e is UserFacingException or FormatException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The live release's instances: one port, or several behind the balancer.</summary>
    private IReadOnlyList<int> LivePorts => releases.LivePorts is { Count: > 0 } ports ? ports : [ReleaseStore.SlotPorts[0]];

    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        foreach (var port in LivePorts)
            if (await instances.IsRunningAsync(port, cancellationToken)) return true;
        return false;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Run(async () =>
    {
        foreach (var port in LivePorts) await instances.StopAsync(port, cancellationToken);
    });

    public Task StartAsync(CancellationToken cancellationToken) => Run(async () =>
    {
        foreach (var port in LivePorts) await instances.StartAsync(port, cancellationToken);
    });

    private static async Task Run(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (ServerException e)
        {
            throw new UserFacingException(e.Message);
        }
    }
}
