using System.Net;
using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>
/// What a real server runs: `stuff setup` on a fresh Debian machine with systemd as PID 1, the
/// app as a hardened Type=notify unit, restarted by systemd, back after a reboot, its log in
/// journald, its backups on a timer. One machine for the class; each test leaves the site serving.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class SystemdServerTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private const string AdminPassword = "systemd test passphrase";
    private ServerMachine Machine => server.Machine;

    [MachineFact]
    public async Task Setup_runs_the_app_as_a_hardened_notify_unit_and_a_second_run_changes_nothing()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        Assert.Contains("Site answers over HTTPS ... ok", server.FirstSetup.Output);
        Assert.DoesNotContain("supervise", server.FirstSetup.Output);

        var unit = await LiveUnitAsync();
        var show = await ShowAsync(unit, "Type", "ActiveState", "SubState", "User", "NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "MainPID");
        Assert.Equal("notify", show["Type"]);
        Assert.Equal("active", show["ActiveState"]);
        Assert.Equal("running", show["SubState"]);
        Assert.Equal("stuff", show["User"]);
        Assert.Equal("yes", show["NoNewPrivileges"]);
        Assert.Equal("strict", show["ProtectSystem"]);
        Assert.Equal("yes", show["ProtectHome"]);
        Assert.Equal("yes", show["PrivateTmp"]);
        Assert.Equal("yes", show["PrivateDevices"]);
        // In effect, not only written down: the kernel holds the running app to it.
        var status = await Machine.MustAsync("cat", $"/proc/{show["MainPID"]}/status");
        Assert.Contains("NoNewPrivs:\t1", status);
        var mounts = await Machine.MustAsync("nsenter", "-t", show["MainPID"], "-m", "findmnt", "-n", "-o", "OPTIONS", "-T", "/etc");
        Assert.StartsWith("ro", mounts.Trim());

        using var client = Machine.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(SetUpServer.Site)).StatusCode);

        var doctor = await Machine.RunAsync("/opt/stuff/bin/stuff", "doctor");
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        Assert.Contains($"{unit}.service is active (running)", doctor.Output);

        var second = await Machine.RunAsync("/opt/stuff/bin/stuff", "setup", "--domain", SetUpServer.Domain, "--tls", "self-signed");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Nothing to change", second.Output);
        Assert.DoesNotContain("changed", second.Output);
    }

    [MachineFact]
    public async Task A_killed_app_is_restarted_by_systemd_and_the_doctor_names_the_restart()
    {
        var unit = await LiveUnitAsync();
        var before = await ShowAsync(unit, "MainPID", "NRestarts");
        await Machine.MustAsync("kill", "-KILL", before["MainPID"]);

        using var client = Machine.Client();
        await Eventually.HoldsAsync(async () => (await ShowAsync(unit, "MainPID"))["MainPID"] is var pid && pid != before["MainPID"] && pid != "0"
            && await AnswersAsync(client), TimeSpan.FromSeconds(5), "the site answering again from a new process after kill -9");

        var after = await ShowAsync(unit, "NRestarts");
        Assert.Equal(int.Parse(before["NRestarts"]) + 1, int.Parse(after["NRestarts"]));
        var doctor = await Machine.RunAsync("/opt/stuff/bin/stuff", "doctor");
        Assert.Contains($"{int.Parse(after["NRestarts"])} restart(s)", doctor.Output);
    }

    [MachineFact]
    public async Task After_a_reboot_the_site_is_back_over_https_with_its_data()
    {
        var created = await Machine.RunAsync("env", $"STUFF_SUPERUSER_PASSWORD={AdminPassword}", "/opt/stuff/bin/stuff", "createsuperuser", "--username", "rebooter", "--no-input");
        Assert.True(created.ExitCode == 0, created.ToString());

        await Machine.RebootAsync();

        using var client = Machine.Client();
        await Eventually.HoldsAsync(() => AnswersAsync(client), TimeSpan.FromSeconds(60), "the site after the reboot");
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, SetUpServer.Site + "account/login",
            [new("Form.Username", "rebooter"), new("Form.Password", AdminPassword)]));
        Assert.Equal("active", (await ShowAsync(await LiveUnitAsync(), "ActiveState"))["ActiveState"]);
    }

    [MachineFact]
    public async Task The_backup_timer_is_listed_and_its_service_writes_a_backup()
    {
        var timers = await Machine.MustAsync("systemctl", "list-timers", "--all", "--no-pager", "--plain");
        Assert.Contains("stuff-backup.timer", timers);

        var before = Backups();
        await Machine.MustAsync("systemctl", "start", "stuff-backup.service");
        var after = Backups();
        Assert.NotEmpty(after.Except(before));
        Assert.Equal("0", (await ShowAsync("stuff-backup.service", "ExecMainStatus"))["ExecMainStatus"]);
    }

    [MachineFact]
    public async Task The_log_is_in_journald_and_a_stop_with_requests_in_flight_fails_none()
    {
        var unit = await LiveUnitAsync();
        var port = unit["stuff@".Length..];
        var journal = await Machine.MustAsync("journalctl", "-u", unit, "--no-pager", "-o", "cat");
        Assert.Contains("Now listening on: http://127.0.0.1:" + port, journal);

        // Clients on the machine's own loopback (the host's curl in the machine's network), straight
        // at the app, each on a kept-alive connection as Apache's proxy keeps them. A request is
        // answered in full, or the app never began on it: refused once it no longer listens (curl's
        // exit 7), or a connection the kernel took for it while it was stopping, closed or reset
        // before a byte of answer (52, 56). A stop that cut an answer, or answered with an error,
        // shows as anything else.
        var answers = Path.Combine(Path.GetTempPath(), $"stuff-stop-{Guid.NewGuid():N}.txt");
        var slow = Path.Combine(Path.GetTempPath(), $"stuff-stop-slow-{Guid.NewGuid():N}.txt");
        var urls = string.Join(' ', Enumerable.Repeat($"-o /dev/null http://127.0.0.1:{port}/stuff/", 50));
        try
        {
            // One request that is surely in flight when the stop comes: a form whose body arrives
            // at 600 bytes a second for about ten seconds. The app must finish it before it exits.
            var inFlight = Machine.InNetworkAsync($$"""
                printf 'a=%06000d' 0 > {{slow}}.body
                curl -s -o /dev/null -w '%{http_code} %{exitcode}' --limit-rate 600 -H 'Expect:' \
                  -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @{{slow}}.body \
                  http://127.0.0.1:{{port}}/stuff/account/login > {{slow}} || true
                """);
            var load = Machine.InNetworkAsync($$"""
                for w in 1 2 3 4 5 6 7 8; do
                  ( while ! grep -q '^000 7 ' <(curl -s -w '%{http_code} %{exitcode} %{size_header}\n' {{urls}} | tee -a {{answers}}); do :; done ) &
                done
                wait
                """);
            await Eventually.HoldsAsync(() => File.Exists(answers) && File.ReadLines(answers).Count(l => l.StartsWith("200 0 ", StringComparison.Ordinal)) >= 200,
                TimeSpan.FromSeconds(60), "200 answers before the stop");
            Assert.False(inFlight.IsCompleted, "the slow request ended before the stop: " + (File.Exists(slow) ? File.ReadAllText(slow) : ""));
            await Machine.MustAsync("systemctl", "stop", unit);
            await load;
            await inFlight;
            var lines = await File.ReadAllLinesAsync(answers);
            var broken = lines.Where(l => !l.StartsWith("200 0 ", StringComparison.Ordinal) && l is not ("000 7 0" or "000 52 0" or "000 56 0")).ToList();
            Assert.True(broken.Count == 0, $"{broken.Count} of {lines.Length} requests failed around the stop: {string.Join(", ", broken.Take(10))}");
            // The form is refused for its missing antiforgery token, but it is answered.
            var slowAnswer = await File.ReadAllTextAsync(slow);
            Assert.True(slowAnswer.EndsWith(" 0", StringComparison.Ordinal) && !slowAnswer.StartsWith("000", StringComparison.Ordinal),
                $"the request in flight at the stop was not answered: {slowAnswer}");

            var doctor = await Machine.RunAsync("/opt/stuff/bin/stuff", "doctor");
            Assert.NotEqual(0, doctor.ExitCode);
            // The service check quotes the app's own log from journald.
            Assert.Contains("Application is shutting down", doctor.Output);
        }
        finally
        {
            File.Delete(answers);
            File.Delete(slow);
            File.Delete(slow + ".body");
            await Machine.MustAsync("systemctl", "start", unit);
        }
        using var client = Machine.Client();
        await Eventually.HoldsAsync(() => AnswersAsync(client), TimeSpan.FromSeconds(30), "the site after the start");
    }

    [MachineFact]
    public async Task A_newer_release_replaces_the_live_one_under_load_and_keeps_the_data()
    {
        var created = await Machine.RunAsync("env", $"STUFF_SUPERUSER_PASSWORD={AdminPassword}", "stuff", "createsuperuser", "--username", "upgrader", "--no-input");
        Assert.True(created.ExitCode == 0, created.ToString());
        var before = await LiveUnitAsync();
        var site = new Deployment(Machine);
        var releases = site.Releases;
        var beforeRelease = releases.LiveRelease;
        var newer = await site.CopyOfReleaseAsync("newer");

        // People keep asking while the new release starts, takes over and the old one stops.
        var (upgrade, served) = await site.UnderLoadAsync(() => site.SetupAsync(newer));

        Assert.True(upgrade.ExitCode == 0, upgrade.ToString());
        Assert.Contains("Install the release ... changed", upgrade.Output);
        Assert.Contains("Previous release stopped ... changed", upgrade.Output);
        served.AssertNoFailures();
        var after = await LiveUnitAsync();
        Assert.NotEqual(before, after);
        Assert.Equal("inactive", (await Machine.RunAsync("systemctl", "is-active", before)).Output.Trim());
        Assert.NotEqual(beforeRelease, releases.LiveRelease);
        // The old release stays in the idle slot, ready for a rollback.
        Assert.Equal(beforeRelease, releases.ReleaseIn(releases.IdlePort));

        using var person = Machine.Client();
        var page = await person.GetStringAsync(SetUpServer.Site);
        var css = System.Text.RegularExpressions.Regex.Match(page, "href=\"(/stuff/static/css/site[^\"]*\\.css)\"");
        Assert.True(css.Success, "the page links no stylesheet");
        Assert.EndsWith("/* newer release */\n", await person.GetStringAsync($"https://{SetUpServer.Domain}{css.Groups[1].Value}"));
        await Forms.AssertRedirectAsync(await Forms.PostAsync(person, SetUpServer.Site + "account/login",
            [new("Form.Username", "upgrader"), new("Form.Password", AdminPassword)]));
    }

    [MachineFact]
    public async Task Security_updates_are_on_and_the_doctor_says_when_a_reboot_is_due()
    {
        Assert.Contains("Security updates ... changed", server.FirstSetup.Output);
        Assert.Contains("install ok installed", await Machine.MustAsync("dpkg-query", "-W", "-f=${Status}", "unattended-upgrades"));
        // apt's own reading of its configuration, as the apt-daily-upgrade timer will see it.
        var apt = await Machine.MustAsync("apt-config", "dump");
        Assert.Contains("APT::Periodic::Unattended-Upgrade \"1\";", apt);
        Assert.Contains("APT::Periodic::Update-Package-Lists \"1\";", apt);
        Assert.Contains("apt-daily-upgrade.timer", await Machine.MustAsync("systemctl", "list-timers", "--all", "--no-pager", "--plain"));
        var site = new Deployment(Machine);
        var (_, findings) = await site.DoctorAsync();
        Assert.Equal("ok", findings["updates"].Verdict);
        Assert.False(findings.ContainsKey("reboot"), findings.GetValueOrDefault("reboot")?.ToString());

        // What an update of the kernel leaves behind (/run is the machine's own tmpfs).
        await Machine.ShAsync("echo linux-image-6.1.0-99-amd64 > /run/reboot-required.pkgs && echo '*** System restart required ***' > /run/reboot-required");
        try
        {
            (_, findings) = await site.DoctorAsync();
            var reboot = findings["reboot"];
            Assert.Equal("warning", reboot.Verdict);
            Assert.Contains("a reboot is due after updates (updated linux-image-6.1.0-99-amd64)", reboot.Summary);
            Assert.StartsWith("sudo reboot", reboot.Fix);
        }
        finally
        {
            await Machine.MustAsync("rm", "-f", "/run/reboot-required", "/run/reboot-required.pkgs");
        }
    }

    private IEnumerable<string> Backups() =>
        Directory.Exists(Machine.At("/var/backups/stuff")) ? Directory.GetFiles(Machine.At("/var/backups/stuff")).Select(f => Path.GetFileName(f)) : [];

    private async Task<string> LiveUnitAsync()
    {
        var units = await Machine.MustAsync("systemctl", "list-units", "stuff@*", "--state=active", "--plain", "--no-legend");
        var unit = units.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).Single(u => u.StartsWith("stuff@", StringComparison.Ordinal));
        return unit[..^".service".Length];
    }

    private async Task<Dictionary<string, string>> ShowAsync(string unit, params string[] properties)
    {
        var output = await Machine.MustAsync(["systemctl", "show", unit, .. properties.SelectMany(p => new[] { "-p", p })]);
        return Stuff.Doctor.ServiceFacts.ParseShow(output);
    }

    private static async Task<bool> AnswersAsync(HttpClient client)
    {
        try
        {
            return (await client.GetAsync(SetUpServer.Site)).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
