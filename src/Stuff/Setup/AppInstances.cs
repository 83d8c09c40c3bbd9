using System.Globalization;
using System.Net;

namespace Stuff.Setup;

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

    public async Task StartAsync(int port, CancellationToken cancellationToken)
    {
        if (systemd) await shell.MustAsync("systemctl", ["start", Layout.Unit(port)], cancellationToken);
        else await Supervisor.StartAsync(shell, layout, store, port, cancellationToken);
    }

    /// <summary>SIGTERM, then waits: in-flight requests finish first.</summary>
    public async Task StopAsync(int port, CancellationToken cancellationToken)
    {
        if (systemd)
        {
            if (await IsRunningAsync(port, cancellationToken))
                await shell.MustAsync("systemctl", ["stop", Layout.Unit(port)], cancellationToken);
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
        var log = layout.LogFile(port);
        return File.Exists(log) ? string.Join(Environment.NewLine, File.ReadLines(log).TakeLast(lines)) : "(no log yet)";
    }

    // One client for every poll: a new one each time would leave a socket behind per question.
    private static readonly HttpClient Readiness = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static async Task<bool> IsReadyAsync(string appUrl, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Readiness.GetAsync(appUrl + "/readyz", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Polls /readyz until it answers 200; false when it has not within the time.</summary>
    public static async Task<bool> WaitUntilReadyAsync(string appUrl, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await IsReadyAsync(appUrl, cancellationToken)) return true;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
        return false;
    }

    /// <summary>
    /// Waits until nothing has been connected to the port for a second (Apache's old workers,
    /// which a graceful reload lets finish their requests, hold connections to it until they
    /// exit), at most the given time.
    /// </summary>
    public static async Task DrainAsync(int port, TimeSpan atMost, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + atMost;
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            if (Connections(port) > 0) quietSince = DateTime.UtcNow;
            else if (DateTime.UtcNow - quietSince >= TimeSpan.FromSeconds(1)) return;
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private const string Established = "01";
    private const string Listening = "0A";

    /// <summary>Established TCP connections whose local port is this one.</summary>
    public static int Connections(int port) => Sockets(port, Established);

    /// <summary>Something listens on the port.</summary>
    public static bool IsListening(int port) => Sockets(port, Listening) > 0;

    /// <summary>Sockets on a local port in a state, from /proc/net/tcp and tcp6.</summary>
    private static int Sockets(int port, string state) =>
        new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists).Sum(t => CountSockets(File.ReadLines(t).Skip(1), port, state));

    /// <summary>Lines of a /proc/net/tcp table whose local port is this one and whose state is this one ("01" established, "0A" listening).</summary>
    public static int CountSockets(IEnumerable<string> lines, int port, string state = Established)
    {
        var count = 0;
        foreach (var line in lines)
        {
            // "  0: 0100007F:13D8 0100007F:A1B2 01 ..." — local address:port, remote, state, all hex.
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[3] != state) continue;
            var local = fields[1];
            var colon = local.LastIndexOf(':');
            if (colon > 0 && int.TryParse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var localPort) && localPort == port)
                count++;
        }
        return count;
    }
}
