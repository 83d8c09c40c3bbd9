using System.Net;
using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>
/// The server as its operator meets it after setup: a root shell on a minimal server (no sudo,
/// no variables set), the installed `stuff` on the PATH, and every command on the installed
/// settings, doing its work as the service user.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class OperatorTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private const string Password = "operator test passphrase";
    private static readonly string[] ServiceDirectories = ["/var/lib/stuff", "/var/log/stuff", "/var/backups/stuff", "/run/stuff"];
    private ServerMachine Machine => server.Machine;

    [MachineFact]
    public async Task Commands_run_as_root_with_no_variables_use_the_installed_settings_and_leave_nothing_root_owned()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        var before = await RootOwnedAsync();

        var migrations = await StuffAsync("migrate", "--list");
        Assert.True(migrations.ExitCode == 0, migrations.ToString());
        Assert.Contains("Nothing pending.", migrations.Output);
        Assert.DoesNotContain("sqlite", migrations.Output + migrations.Error, StringComparison.OrdinalIgnoreCase);

        var superuser = await StuffAsync($"STUFF_SUPERUSER_PASSWORD={Password}", "createsuperuser", "--username", "x", "--no-input");
        Assert.True(superuser.ExitCode == 0, superuser.ToString());

        var backup = await StuffAsync("backup");
        Assert.True(backup.ExitCode == 0, backup.ToString());

        Assert.Equal(before, await RootOwnedAsync());
        using var client = Machine.Client();
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, SetUpServer.Site + "account/login", [new("Form.Username", "x"), new("Form.Password", Password)]));
    }

    [MachineFact]
    public async Task Setup_hints_at_the_first_user_in_a_way_a_minimal_server_runs_and_only_while_there_is_none()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        Assert.DoesNotContain("sudo", server.FirstSetup.Output);
        Assert.False(File.Exists(Machine.At("/usr/bin/sudo")), "the test server is minimal: it has no sudo");
        var hint = server.FirstSetup.Output.Split('\n').Single(l => l.Contains("createsuperuser", StringComparison.Ordinal));
        Assert.Contains("stuff createsuperuser", hint);

        var created = await StuffAsync($"STUFF_SUPERUSER_PASSWORD={Password}", "createsuperuser", "--username", "hinted", "--no-input");
        Assert.True(created.ExitCode == 0, created.ToString());
        var again = await StuffAsync("setup", "--domain", SetUpServer.Domain, "--tls", "self-signed");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("createsuperuser", again.Output);
    }

    [MachineFact]
    public async Task A_database_error_names_the_database_it_tried_and_the_installed_settings_it_did_not_use()
    {
        await File.WriteAllTextAsync(Machine.At("/root/other.env"), "DATABASE_URL=postgres://nobody:secret@127.0.0.1:5999/nothere\n");
        File.SetUnixFileMode(Machine.At("/root/other.env"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var wrong = await StuffAsync("STUFF_ENV_FILE=/root/other.env", "migrate", "--list");
        var said = wrong.Output + wrong.Error;
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("127.0.0.1:5999/nothere", said);
        Assert.Contains("/etc/stuff/stuff.env", said);
        Assert.DoesNotContain("secret", said);
        Assert.DoesNotContain("   at ", said);
        using var client = Machine.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(SetUpServer.Site)).StatusCode);
    }

    [MachineFact]
    public async Task Status_shows_the_site_in_a_few_lines_and_logs_shows_the_journal()
    {
        var status = await StuffAsync("status");
        Assert.True(status.ExitCode == 0, status.ToString());
        var lines = status.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["release", "instances", "database", "backups", "certificate", "doctor"], lines.Select(l => l.Split(' ')[0]));
        Assert.Matches(@"^instances +508[01] running \(systemd\)$", lines[1]);
        Assert.Contains("opened stuff", lines[2]);
        Assert.StartsWith("doctor       would pass", lines[5]);

        var logs = await StuffAsync("logs", "-n", "500");
        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Contains("Now listening on: http://127.0.0.1:", logs.Output);
        var wrong = await StuffAsync("logs", "-n", "0");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--lines must be between 1 and 100000", wrong.Error);
    }

    [MachineFact]
    public async Task The_clock_fix_works_on_a_server_without_a_time_sync_service()
    {
        var synchronised = (await Machine.MustAsync("timedatectl", "show", "-p", "NTPSynchronized", "--value")).Trim();
        var doctor = await StuffAsync("doctor");
        var clock = doctor.Output.Split('\n').SkipWhile(l => !l.Contains("Clock", StringComparison.Ordinal)).Take(4).ToList();
        if (synchronised == "yes") Assert.DoesNotContain(clock, l => l.Contains("not synchronised", StringComparison.Ordinal));
        else Assert.Contains(clock, l => l.Contains("apt-get install systemd-timesyncd", StringComparison.Ordinal));
    }

    /// <summary>`stuff ARGS` in a root login shell of the machine: the PATH a login gives, nothing else set.</summary>
    private Task<CliResult> StuffAsync(params string[] args)
    {
        var variables = args.TakeWhile(a => a.Contains('=', StringComparison.Ordinal)).ToArray();
        return Machine.RunAsync(["env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", .. variables, "stuff", .. args[variables.Length..]]);
    }

    private async Task<string> RootOwnedAsync()
    {
        var found = await Machine.RunAsync(["find", .. ServiceDirectories, "-user", "root"]);
        return string.Join('\n', found.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }
}
