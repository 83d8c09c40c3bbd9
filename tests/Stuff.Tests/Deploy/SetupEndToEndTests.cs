using System.Net;
using Stuff.Tests.Infrastructure;
using static Stuff.Tests.Deploy.Machine;

namespace Stuff.Tests.Deploy;

/// <summary>
/// Runs only where ./test.sh prepared for it: as root on Debian, with the published release in
/// STUFF_TEST_RELEASE. It changes the machine (packages, users, /opt/stuff, Apache, the system
/// PostgreSQL cluster), as `stuff setup` does on a real server.
/// </summary>
public sealed class DeployFactAttribute : FactAttribute
{
    public DeployFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("STUFF_TEST_RELEASE") is not { Length: > 0 })
            Skip = "needs root and the published release: run ./test.sh as root";
    }
}

public sealed class DeployTheoryAttribute : TheoryAttribute
{
    public DeployTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable("STUFF_TEST_RELEASE") is not { Length: > 0 })
            Skip = "needs root and the published release: run ./test.sh as root";
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeployCollection
{
    public const string Name = "deploy on this machine";
}

[Collection(DeployCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class SetupEndToEndTests
{
    private const string AdminPassword = "deploy test passphrase";
    private static readonly string Release = Environment.GetEnvironmentVariable("STUFF_TEST_RELEASE") ?? "";

    [DeployFact]
    public async Task Setup_serves_the_site_over_https_keeps_data_and_changes_nothing_the_second_time()
    {
        await UninstallAsync();

        var first = await RunAsync(Path.Combine(Release, "stuff"), "setup", "--domain", "localhost", "--tls", "self-signed");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("[20/20] Site answers over HTTPS ... ok", first.Output);
        Assert.Contains("The site: https://localhost/stuff/", first.Output);

        Assert.Equal("640 root:stuff", (await RunAsync("stat", "-c", "%a %U:%G", "/etc/stuff/stuff.env")).Output.Trim());
        var configtest = await RunAsync("apache2ctl", "-t");
        Assert.True(configtest.ExitCode == 0, configtest.ToString());
        var doctor = await RunAsync("/opt/stuff/bin/stuff", "doctor");
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        Assert.Contains(" 0 failed", doctor.Output);
        // The installed executable finds the installed settings by itself, as root and as the service user.
        foreach (var asWhom in new[] { new[] { "env" }, ["runuser", "-u", "stuff", "--", "env"] })
        {
            var migrations = await RunAsync(asWhom[0], [.. asWhom[1..], "-u", "STUFF_ENV_FILE", "/opt/stuff/bin/stuff", "migrate", "--list"]);
            Assert.True(migrations.ExitCode == 0, migrations.ToString());
            Assert.Contains("Nothing pending.", migrations.Output);
            Assert.DoesNotContain("sqlite", migrations.Output, StringComparison.OrdinalIgnoreCase);
        }
        var superuser = await RunAsync("runuser", "-u", "stuff", "--", "env", "STUFF_ENV_FILE=/etc/stuff/stuff.env", $"STUFF_SUPERUSER_PASSWORD={AdminPassword}",
            "/opt/stuff/bin/stuff", "createsuperuser", "--username", "admin", "--no-input");
        Assert.True(superuser.ExitCode == 0, superuser.ToString());

        using var client = ThroughApache();
        var redirect = await client.GetAsync("http://localhost/stuff/");
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirect.StatusCode);
        Assert.Equal("https://localhost/stuff/", redirect.Headers.Location!.ToString());

        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, "https://localhost/stuff/account/login", [new("Form.Username", "admin"), new("Form.Password", AdminPassword)]));
#if nosample
        // Data to keep: a group, made in the admin and listed there.
        const string keptText = "the kept group";
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, "https://localhost/stuff/admin/groups/add", [new("Form.Name", keptText)]));
        const string keptAt = "https://localhost/stuff/admin/groups";
        Assert.Contains(keptText, await client.GetStringAsync(keptAt));
#else
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, "https://localhost/stuff/new", [new("Form.Junk", "kept junk"), new("Form.Things", "t"), new("Form.SomeNum", "1")]));
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, "https://localhost/stuff/new", [new("Form.Junk", "doomed junk"), new("Form.Things", "t"), new("Form.SomeNum", "2")]));
        var list = await client.GetStringAsync("https://localhost/stuff/");
        var kept = Id(list, "kept junk");
        var doomed = Id(list, "doomed junk");

        var editForm = await client.GetStringAsync($"https://localhost/stuff/edit/{kept}");
        var edit = await client.PostAsync($"https://localhost/stuff/edit/{kept}", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Forms.Token(editForm)), new("Version", Forms.Field(editForm, "Version")),
            new("Form.Junk", "kept and edited junk"), new("Form.Things", "t"), new("Form.SomeNum", "3"),
        ]));
        Assert.Equal("/stuff/", await Forms.AssertRedirectAsync(edit));

        var confirm = await client.GetStringAsync($"https://localhost/stuff/delete/{doomed}");
        var delete = await client.PostAsync($"https://localhost/stuff/delete/{doomed}", new FormUrlEncodedContent(
            [new("__RequestVerificationToken", Forms.Token(confirm)), new("Version", Forms.Field(confirm, "Version"))]));
        await Forms.AssertRedirectAsync(delete);

        var after = await client.GetStringAsync("https://localhost/stuff/");
        Assert.Contains("kept and edited junk", after);
        Assert.DoesNotContain("aria-label=\"Edit doomed junk\"", after);
        const string keptText = "kept and edited junk", keptAt = "https://localhost/stuff/";
#endif

        var second = await RunAsync("/opt/stuff/bin/stuff", "setup", "--domain", "localhost", "--tls", "self-signed");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Nothing to change", second.Output);
        Assert.DoesNotContain("changed (", second.Output);

        // A newer release upgrades in place: new files, restart, data kept.
        var newer = Directory.CreateTempSubdirectory("stuff-newer-release-").FullName;
        try
        {
            foreach (var file in Directory.EnumerateFiles(Release, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(newer, Path.GetRelativePath(Release, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            File.SetUnixFileMode(Path.Combine(newer, "stuff"), (UnixFileMode)0b111_101_101);
            await File.AppendAllTextAsync(Path.Combine(newer, "wwwroot", "static", "css", "site.css"), "\n/* newer release */\n");
            var upgrade = await RunAsync(Path.Combine(newer, "stuff"), "setup", "--domain", "localhost", "--tls", "self-signed");
            Assert.True(upgrade.ExitCode == 0, upgrade.ToString());
            Assert.Contains("Install the release ... changed", upgrade.Output);
            Assert.Contains("App service ... changed", upgrade.Output);
            Assert.EndsWith("/* newer release */\n", await File.ReadAllTextAsync("/var/www/stuff/static/css/site.css"));
            Assert.Contains(keptText, await client.GetStringAsync(keptAt));
        }
        finally
        {
            Directory.Delete(newer, recursive: true);
        }

        // A restart (here: the supervisor stopped, setup starting it again) keeps the data.
        var pid = (await File.ReadAllTextAsync(LivePidFile)).Trim();
        await RunAsync("kill", "-TERM", pid);
        for (var i = 0; i < 60 && Directory.Exists($"/proc/{pid}"); i++) await Task.Delay(500);
        var restart = await RunAsync("/opt/stuff/bin/stuff", "setup", "--domain", "localhost", "--tls", "self-signed");
        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.Contains("App service ... changed", restart.Output);
        Assert.Contains(keptText, await client.GetStringAsync(keptAt));
    }

    //#if (sample)
    private static string Id(string list, string junk)
    {
        var match = System.Text.RegularExpressions.Regex.Match(list, $"href=\"/stuff/edit/(\\d+)\" aria-label=\"Edit {junk}\"");
        Assert.True(match.Success, $"'{junk}' is not on the list.");
        return match.Groups[1].Value;
    }
    //#endif

    /// <summary>Removes what an earlier run installed, so setup starts from a fresh server again.</summary>
    private static async Task UninstallAsync()
    {
        await StopAllSupervisorsAsync();
        // A fresh server runs none: anything left from an earlier run (however it lost its supervisor) goes too.
        await RunAsync("pkill", "-TERM", "-f", "^/opt/stuff/");
        for (var i = 0; i < 40 && (await RunAsync("pgrep", "-f", "^/opt/stuff/")).ExitCode == 0; i++) await Task.Delay(250);
        // The cluster may be stopped (a reboot, another test run); the old database must go all the same.
        foreach (var version in Directory.Exists("/etc/postgresql") ? Directory.GetDirectories("/etc/postgresql") : [])
            await RunAsync("pg_ctlcluster", Path.GetFileName(version), "main", "start");
        if ((await RunAsync("runuser", "-u", "postgres", "--", "psql", "-XtAc", "SELECT 1")).ExitCode == 0)
        {
            await RunAsync("runuser", "-u", "postgres", "--", "psql", "-Xc", "DROP DATABASE IF EXISTS stuff WITH (FORCE)");
            await RunAsync("runuser", "-u", "postgres", "--", "psql", "-Xc", "DROP ROLE IF EXISTS stuff");
        }
        await RunAsync("a2dissite", "-q", "stuff");
        foreach (var path in new[] { "/opt/stuff", "/etc/stuff", "/var/lib/stuff", "/var/www/stuff", "/var/log/stuff", "/run/stuff" })
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        foreach (var path in new[] { "/etc/apache2/sites-available/stuff.conf", "/etc/ssl/certs/stuff.crt", "/etc/ssl/private/stuff.key", "/usr/local/bin/stuff" })
            File.Delete(path);
        await RunAsync("userdel", "stuff");
        await RunAsync("groupdel", "webadmin");
    }
}
