using System.Globalization;
using System.Net.Sockets;
using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>The app's service runs and is not crash-looping: systemd's view, or the supervisor's pid file and log where systemd does not run.</summary>
public sealed class ServiceCheck : DoctorCheck
{
    private const string Id = "service";
    private const string Name = "App service";
    private const int LogLines = 8;

    public override Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken) =>
        context.Facts.HasSystemd ? SystemdAsync(context, cancellationToken) : SupervisedAsync(context);

    private static async Task<IReadOnlyList<Finding>> SystemdAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var unit = Layout.Unit(context.LivePort);
        var show = await context.Shell.RunAsync("systemctl", ["show", unit, "-p", "LoadState", "-p", "ActiveState", "-p", "SubState", "-p", "NRestarts", "-p", "ExecMainStatus"], cancellationToken);
        var state = ServiceFacts.ParseShow(show.Output);
        var journal = await context.Shell.TryRunAsync("journalctl", ["-u", unit, "-n", LogLines.ToString(CultureInfo.InvariantCulture), "--no-pager", "-o", "short-iso"], cancellationToken);
        var log = journal?.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var verdict = ServiceFacts.Judge(state);
        context.ServiceRunning = verdict is null;
        if (state.GetValueOrDefault("LoadState") == "not-found")
        {
            return [Finding.Failed(Id, Name, $"systemd has no unit named {unit}", "setup never installed the service, or its unit file was removed",
                $"run setup again: sudo {context.Layout.Executable} setup --domain {context.Domain} (with your --tls options)")];
        }
        if (verdict is null)
            return [Finding.Ok(Id, Name, $"{unit}.service is {state.GetValueOrDefault("ActiveState")} ({state.GetValueOrDefault("SubState")}), {state.GetValueOrDefault("NRestarts", "0")} restart(s)")];
        var crashLoop = state.GetValueOrDefault("SubState") == "auto-restart" || ServiceFacts.Restarts(state) >= 3;
        return [Finding.Failed(Id, Name, verdict,
            crashLoop ? "the app exits soon after it starts and systemd keeps restarting it; its log says why" : "the app is not running; its log says why it stopped",
            // After restarts in a row systemd may have given up (start-limit-hit) and refuse a
            // plain start or restart until its failure is reset; the reset is harmless otherwise.
            $"read the reason below (more: journalctl -u {unit} -n 50), fix it, then: sudo systemctl reset-failed {unit} && {(crashLoop ? context.RestartApp : context.StartApp)}")
            with { Details = log }];
    }

    private static Task<IReadOnlyList<Finding>> SupervisedAsync(DoctorContext context)
    {
        var layout = context.Layout;
        var logFile = layout.LogFile(context.LivePort);
        var pidFile = layout.PidFile(context.LivePort);
        var log = LogTail.Read(logFile, 200);
        var running = Supervisor.RunningPid(pidFile);
        context.ServiceRunning = running is not null;
        if (running is null)
        {
            return Task.FromResult<IReadOnlyList<Finding>>([Finding.Failed(Id, Name, $"not running (no live process in {pidFile})",
                "the app's supervisor is not running (this host has no systemd, so nothing starts it at boot)",
                context.StartApp) with { Details = log.TakeLast(LogLines).ToList() }]);
        }
        var failures = ServiceFacts.FailedStarts(log);
        if (failures >= 2)
        {
            context.ServiceRunning = false;
            return Task.FromResult<IReadOnlyList<Finding>>([Finding.Failed(Id, Name, $"crash-looping: stuff serve failed {failures} times in a row without starting",
                "the app exits soon after it starts and the supervisor keeps restarting it; its log says why",
                $"read the reason below (more: tail -n 50 {logFile}), fix it; the supervisor (pid {running}) starts it again by itself")
                with { Details = log.Where(l => !l.Contains("supervise:", StringComparison.Ordinal)).TakeLast(LogLines).ToList() }]);
        }
        return Task.FromResult<IReadOnlyList<Finding>>([Finding.Ok(Id, Name, $"supervised (pid {running}, {pidFile})")]);
    }

}

/// <summary>Reading systemctl and the supervisor's log by key, not by wording.</summary>
public static class ServiceFacts
{
    public static Dictionary<string, string> ParseShow(string output) => KeyValueLines.Parse(output.Split('\n'));

    public static int Restarts(IReadOnlyDictionary<string, string> state) =>
        int.TryParse(state.GetValueOrDefault("NRestarts"), out var n) ? n : 0;

    /// <summary>Null when the service runs steadily; otherwise what is wrong, in a few words.</summary>
    public static string? Judge(IReadOnlyDictionary<string, string> state)
    {
        var active = state.GetValueOrDefault("ActiveState", "unknown");
        var sub = state.GetValueOrDefault("SubState", "unknown");
        var status = state.GetValueOrDefault("ExecMainStatus", "0");
        if (active == "active" && sub == "running" && Restarts(state) < 3) return null;
        if (active == "activating" && sub == "auto-restart") return $"crash-looping: restarted {Restarts(state)} times, last exit status {status}";
        // Caught between two tries: systemd has started it again after failures, and it is not up yet.
        if (active == "activating" && Restarts(state) >= 2) return $"crash-looping: restarted {Restarts(state)} times, starting again now";
        if (active == "active") return $"running, but restarted {Restarts(state)} times (last exit status {status})";
        if (status == "203") return "failed: status 203/EXEC, the executable could not be started (on SELinux hosts: its label; see SELinux)";
        return $"{active} ({sub}), last exit status {status}";
    }

    /// <summary>
    /// How many times in a row, at the end of the supervisor's log, the app exited with an error
    /// without getting as far as "Application started" (a restart on purpose exits with 0).
    /// </summary>
    public static int FailedStarts(IEnumerable<string> log)
    {
        var failures = 0;
        foreach (var line in log)
        {
            if (line.Contains("Application started", StringComparison.Ordinal)) failures = 0;
            else if (line.Contains("supervise: stuff serve exited with code ", StringComparison.Ordinal) && !line.Contains("exited with code 0;", StringComparison.Ordinal)) failures++;
        }
        return failures;
    }
}
