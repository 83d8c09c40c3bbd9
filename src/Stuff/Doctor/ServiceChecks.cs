using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Stuff.Setup;

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
            $"read the reason below (more: journalctl -u {unit} -n 50), fix it, then: {(crashLoop ? context.RestartApp : context.StartApp)}")
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
    public static Dictionary<string, string> ParseShow(string output) =>
        output.Split('\n')
            .Select(l => l.Trim())
            .Where(l => !l.StartsWith('#') && l.Contains('='))
            .Select(l => l.Split('=', 2))
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);

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

/// <summary>The app answers on its loopback address, and says whether it is ready.</summary>
public sealed class AppCheck : DoctorCheck
{
    private const string Id = "app";
    private const string Name = "App answers";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var url = context.AppUrl("/readyz");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(url, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            context.AppAnswers = true;
            if (response.StatusCode == HttpStatusCode.OK) return [Finding.Ok(Id, Name, $"{url} says ready")];
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                return [Finding.Failed(Id, Name, $"{url} answers 503: not ready",
                    "the app runs but cannot serve: " + ReadyDetail(body),
                    "fix what the Database and Migrations lines say; the app becomes ready by itself")];
            }
            return [Finding.Failed(Id, Name, $"{url} answers {(int)response.StatusCode}",
                $"something other than the app answers at {context.AppAddress.Authority}, or STUFF_BASE_PATH is not the path the app was started with",
                $"restart the app so it reads its settings again: {context.RestartApp}")];
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            context.AppAnswers = false;
            return [Finding.Failed(Id, Name, $"nothing listens on {context.AppAddress.Authority}",
                context.ServiceRunning == false
                    ? "the app is not running (see App service)"
                    : $"the app runs but does not listen on its slot's port {context.LivePort}: a Kestrel endpoint or urls setting in {context.EnvFilePath} overrides the address setup starts it with",
                context.ServiceRunning == false ? context.StartApp : $"restart the app so it reads its settings again: {context.RestartApp}")];
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            context.AppAnswers = false;
            return [Finding.Failed(Id, Name, $"{url} accepted the connection but did not answer within 5 s",
                "the app is hung or overloaded (a stopped process, a deadlock, or every thread waiting on the database)",
                $"restart it: {context.RestartApp}; if it happens again, read its log and the database's")];
        }
        catch (HttpRequestException e)
        {
            context.AppAnswers = false;
            return [Finding.Failed(Id, Name, $"{url} cannot be reached", e.Message, context.RestartApp)];
        }
    }

    /// <summary>The failing checks of a /readyz body, such as "database: cannot connect to the database: password-failed".</summary>
    public static string ReadyDetail(string body)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            var failing = json.RootElement.GetProperty("checks").EnumerateObject()
                .Where(c => c.Value.GetProperty("status").GetString() != "ok")
                .Select(c => $"{c.Name}: {c.Value.GetProperty("detail").GetString()}")
                .ToList();
            return failing.Count > 0 ? string.Join("; ", failing) : body;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }
}

/// <summary>The last lines of a log that another process may be writing, read from its last 256 KiB.</summary>
public static class LogTail
{
    public static IReadOnlyList<string> Read(string path, int lines)
    {
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length > 256 * 1024) stream.Seek(-256 * 1024, SeekOrigin.End);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines).ToList();
    }
}

/// <summary>
/// Behind Apache's balancer, every member answers, this host's instances and the app hosts
/// elsewhere alike; and several hosts share one key ring, or each refuses the others' logins.
/// </summary>
public sealed class BalancerCheck : DoctorCheck
{
    private const string Id = "balancer";
    private const string Name = "Balancer members";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        if (context.Site is not { BalancerMembers.Count: > 0 } site)
            return [Finding.Skipped(Id, Name, "Apache's site has no balancer (one instance)")];

        var findings = new List<Finding>();
        var down = new List<(string Member, string Why)>();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var member in site.BalancerMembers)
        {
            var url = member.TrimEnd('/') + context.Options.NormalizedBasePath + "/readyz";
            try
            {
                using var response = await client.GetAsync(url, cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                    down.Add((member, $"answers {(int)response.StatusCode}: {AppCheck.ReadyDetail(await response.Content.ReadAsStringAsync(cancellationToken))}"));
            }
            catch (HttpRequestException e)
            {
                down.Add((member, e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "nothing listens there" : e.Message));
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                down.Add((member, "did not answer within 5 s"));
            }
        }

        if (down.Count == 0)
            findings.Add(Finding.Ok(Id, Name, $"all {site.BalancerMembers.Count} answer ready: {string.Join(", ", site.BalancerMembers)}"));
        else
        {
            var summary = $"{down.Count} of {site.BalancerMembers.Count} not ready: {string.Join("; ", down.Select(d => $"{d.Member} {d.Why}"))}";
            var cause = down.Count == site.BalancerMembers.Count
                ? "Apache has no member left to send requests to, so every page through it fails with 503"
                : "Apache sends their share to the others (and asks a failed member again every 5 s), so the site serves with less capacity";
            var fix = string.Join("\n", down.Select(d => Fix(context, d.Member)));
            findings.Add(down.Count == site.BalancerMembers.Count
                ? Finding.Failed(Id, Name, summary, cause, fix)
                : Finding.Warning(Id, Name, summary, cause, fix));
        }

        var elsewhere = site.BalancerMembers.Where(m => !IsLocal(m)).ToList();
        if (elsewhere.Count > 0)
        {
            findings.Add(context.Options.KeysInDatabase
                ? Finding.Ok("shared-keys", "Shared key ring", $"STUFF_KEYS=database: the app hosts ({string.Join(", ", elsewhere)}) accept each other's logins and forms")
                : Finding.Failed("shared-keys", "Shared key ring", $"the balancer sends requests to other hosts ({string.Join(", ", elsewhere)}), but this host keeps its keys in its own files",
                    "each host signs cookies and form tokens with its own keys, so a person whose next request lands on another host is logged out and their form is refused",
                    $"set STUFF_KEYS=database in {context.EnvFilePath} here and on every app host, then restart each: {context.RestartApp} (setup with --app-host does it here)"));
        }
        return findings;
    }

    private static bool IsLocal(string member) => Uri.TryCreate(member, UriKind.Absolute, out var uri) && ReleaseStore.IsInstanceAddress(uri);

    private static string Fix(DoctorContext context, string member)
    {
        if (IsLocal(member)) return $"{member}: {context.StartAppOn(new Uri(member).Port)}";
        var address = Uri.TryCreate(member, UriKind.Absolute, out var uri) ? uri.Authority : member;
        return $"{member}: on that host, start the app listening on {address} (stuff serve --urls {member}, or its service) and check its own doctor; "
            + $"from here, `curl -sS {member}{context.Options.NormalizedBasePath}/healthz` must answer (a firewall or a wrong address otherwise)";
    }
}
