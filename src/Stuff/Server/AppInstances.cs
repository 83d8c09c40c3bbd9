using System.Globalization;

namespace Stuff.Server;

/// <summary>
/// The app's instances, one per slot port: systemd's <c>stuff@PORT</c> units, or where systemd
/// does not run a <c>stuff supervise</c> per port with its own pid file and log.
/// </summary>
public sealed class AppInstances(IShell shell, Layout layout, ReleaseStore store, bool systemd)
{
    public async Task<bool> IsRunningAsync(int port, CancellationToken cancellationToken) =>
        systemd
            ? (await shell.TryRunAsync("systemctl", ["is-active", "--quiet", Layout.Unit(port)], cancellationToken))?.Ok == true
            : Supervisor.RunningPid(layout.PidFile(port)) is not null;

    /// <summary>Starts the instance; under systemd the start returns once the notify unit says it is ready, or fails.</summary>
    public async Task StartAsync(int port, CancellationToken cancellationToken)
    {
        if (systemd) await shell.MustAsync("systemctl", ["start", Layout.Unit(port)], cancellationToken);
        else await Supervisor.StartAsync(shell, layout, store, port, cancellationToken);
    }

    /// <summary>
    /// Starts the instance without waiting for it, for a caller that waits for its readiness within
    /// its own time: a blocking systemctl start would wait for READY up to systemd's own timeout,
    /// and report a release that fails to start as systemctl's error instead of the app's log.
    /// </summary>
    public async Task LaunchAsync(int port, CancellationToken cancellationToken)
    {
        if (systemd) await shell.MustAsync("systemctl", ["start", "--no-block", Layout.Unit(port)], cancellationToken);
        else await Supervisor.StartAsync(shell, layout, store, port, cancellationToken);
    }

    /// <summary>SIGTERM, then waits: in-flight requests finish first.</summary>
    public async Task StopAsync(int port, CancellationToken cancellationToken)
    {
        if (systemd)
        {
            // Not only a running unit: one that fails to start sits in "activating (auto-restart)"
            // and systemd would start it again and again. A unit that was never loaded has nothing to stop.
            if (await IsRunningAsync(port, cancellationToken))
                await shell.MustAsync("systemctl", ["stop", Layout.Unit(port)], cancellationToken);
            else
                await shell.TryRunAsync("systemctl", ["stop", Layout.Unit(port)], cancellationToken);
        }
        else
        {
            await Supervisor.StopAsync(layout.PidFile(port), cancellationToken);
        }
    }

    /// <summary>Starts with the machine: only the live instances are enabled.</summary>
    public async Task EnableOnlyAsync(IReadOnlyCollection<int> ports, CancellationToken cancellationToken)
    {
        if (!systemd) return;
        foreach (var port in ports) await shell.MustAsync("systemctl", ["enable", Layout.Unit(port)], cancellationToken);
        foreach (var other in ReleaseStore.AllPorts.Where(p => !ports.Contains(p)))
            await shell.RunAsync("systemctl", ["disable", "--quiet", Layout.Unit(other)], cancellationToken);
    }

    /// <summary>Stops what the layout before releases ran (one unit or supervisor on port 5080), which holds a slot's port.</summary>
    public async Task StopLegacyAsync(CancellationToken cancellationToken)
    {
        if (systemd && File.Exists(layout.LegacyUnitFile))
        {
            await shell.RunAsync("systemctl", ["disable", "--now", "stuff"], cancellationToken);
            File.Delete(layout.LegacyUnitFile);
            await shell.MustAsync("systemctl", ["daemon-reload"], cancellationToken);
        }
        await Supervisor.StopAsync(layout.LegacyPidFile, cancellationToken);
    }

    public async Task<string> LogTailAsync(int port, int lines, CancellationToken cancellationToken)
    {
        if (systemd)
            return (await shell.RunAsync("journalctl", ["-u", Layout.Unit(port), "-n", lines.ToString(CultureInfo.InvariantCulture), "--no-pager"], cancellationToken)).Output;
        var log = LogTail.Read(layout.LogFile(port), lines);
        return log.Count > 0 ? string.Join(Environment.NewLine, log) : "(no log yet)";
    }

    /// <summary>
    /// Waits until nothing has been connected to the port for a second (Apache's old workers,
    /// which a graceful reload lets finish their requests, hold connections to it until they
    /// exit), at most the given time.
    /// </summary>
    public static async Task DrainAsync(int port, TimeSpan atMost, CancellationToken cancellationToken)
    {
        var quietSince = DateTime.UtcNow;
        await Wait.UntilAsync(() =>
        {
            if (Sockets.Connections(port) > 0) quietSince = DateTime.UtcNow;
            return DateTime.UtcNow - quietSince >= TimeSpan.FromSeconds(1);
        }, atMost, TimeSpan.FromMilliseconds(100), cancellationToken);
    }
}
