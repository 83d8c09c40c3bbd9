using System.Net;
using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>
/// Off-site backups through real restic, set up by setup, on a deployed systemd server: a
/// repository restic cannot use is refused with its reason and the site's settings are left as
/// they were; backups are sent, kept per the retention policy, restore onto a server whose
/// database was lost, and the restore drill passes on a good snapshot and fails on a damaged one.
/// The repositories: SFTP to OpenSSH on the machine's own loopback (an account of its own, the
/// service user's key), and a path on the machine (a mounted disk, as restic sees it).
/// </summary>
[Collection(SecondLane.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class OffsiteBackupTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private const string SftpRepository = "sftp:vault@127.0.0.1:/home/vault/stuff";
    private const string LocalRepository = "/srv/stuff-offsite";
    private const string UserPassword = "a passphrase kept off-site";
    private ServerMachine Machine => server.Machine;

    [MachineFact]
    public async Task Backups_go_off_site_restore_from_there_and_a_drill_tells_a_good_snapshot_from_a_damaged_one()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        var site = new Deployment(Machine);
        var envFile = Machine.At("/etc/stuff/stuff.env");
        var settings = await File.ReadAllTextAsync(envFile);

        // Bad input: a URL restic does not understand, and a backup host nobody answers on yet; the site's settings stay.
        var unknown = await site.SetupAsync(Deployment.Installed, "--backup-repository", "ftp:backup@example.org/stuff");
        Assert.NotEqual(0, unknown.ExitCode);
        Says(unknown, "restic does not understand the repository 'ftp:backup@example.org/stuff'");
        var unreachable = await site.SetupAsync(Deployment.Installed, "--backup-repository", SftpRepository);
        Assert.NotEqual(0, unreachable.ExitCode);
        Says(unreachable, "Off-site backups ... FAILED");
        Says(unreachable, $"The repository {SftpRepository} cannot be reached (ssh: connect to host 127.0.0.1 port 22: Connection refused)");
        Says(unreachable, "The site's settings were not changed.");
        Assert.Equal(settings, await File.ReadAllTextAsync(envFile));

        // The backup host: OpenSSH on the machine's loopback, an account that knows the key setup printed.
        var key = System.Text.RegularExpressions.Regex.Match(unreachable.ToString(), "The service user's public key: (ssh-ed25519 \\S+ \\S+)");
        Assert.True(key.Success, unreachable.ToString());
        await Machine.ShAsync($"""
            apt-get install -y -q openssh-server >/dev/null
            useradd --create-home --shell /bin/sh vault
            install -d -o vault -g vault -m 0700 /home/vault/.ssh
            echo '{key.Groups[1].Value}' > /home/vault/.ssh/authorized_keys
            chown vault:vault /home/vault/.ssh/authorized_keys && chmod 0600 /home/vault/.ssh/authorized_keys
            systemctl is-active --quiet ssh || systemctl start ssh
            """);

        // The repository: made by setup over SFTP, its password kept in the env file and never shown.
        var setup = await site.SetupAsync(Deployment.Installed, "--backup-repository", SftpRepository);
        Assert.True(setup.ExitCode == 0, setup.ToString());
        Says(setup, "Off-site backups ... changed");
        Says(setup, $"Backups also go to {SftpRepository}. Keep a copy of STUFF_BACKUP_PASSWORD");
        Assert.True(Directory.Exists(Machine.At("/home/vault/stuff/snapshots")), "no restic repository on the backup host");
        var password = (await File.ReadAllLinesAsync(envFile)).Single(l => l.StartsWith("STUFF_BACKUP_PASSWORD=", StringComparison.Ordinal))["STUFF_BACKUP_PASSWORD=".Length..].Trim('\'');
        Assert.True(password.Length >= 32, "the generated repository password is short");
        var again = await site.SetupAsync();
        Assert.True(again.ExitCode == 0, again.ToString());
        Says(again, "Nothing to change");

        // Data only the backups have; backups in one day leave the newest snapshot (7 daily, 4 weekly, 12 monthly).
        var user = await Machine.RunAsync("env", $"STUFF_USER_PASSWORD={UserPassword}", "stuff", "createuser", "--username", "offsite", "--no-input");
        Assert.True(user.ExitCode == 0, user.ToString());
        // Every process's command line while a backup runs, sampled until it ends.
        var processes = await Machine.ShAsync("""
            stuff backup > /tmp/backup.out 2>&1 & b=$!
            while kill -0 $b 2>/dev/null; do ps -eo args; sleep 0.05; done
            wait $b; cat /tmp/backup.out
            """);
        Assert.Contains("restic", processes);
        Assert.Contains($"Sent it off-site to {SftpRepository} as snapshot", processes);
        await Machine.MustAsync("stuff", "backup");
        // The daily timer's service, with its hardening: restic reaches the backup host as the service user.
        await Machine.MustAsync("systemctl", "start", "stuff-backup.service");
        var list = await Machine.MustAsync("stuff", "backup", "--list");
        Assert.Contains("1 snapshot(s) in " + SftpRepository, list);
        var snapshot = list.Split('\n')[1].Trim()[..8];

        // The weekly drill's service passes on the snapshot; the doctor says so.
        await Machine.MustAsync("systemctl", "start", "stuff-backup-verify.service");
        var (_, findings) = await site.DoctorAsync();
        Assert.Equal("ok", findings["offsite"].Verdict);
        Assert.Contains(snapshot, findings["offsite"].Summary);
        Assert.Equal("ok", findings["restore-drill"].Verdict);
        Assert.Contains($"snapshot {snapshot}", findings["restore-drill"].Summary);

        // The server loses its database; set up again with the same settings, it restores from the repository.
        await Machine.MustAsync("runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-c", "DROP DATABASE stuff WITH (FORCE)");
        await site.SetupAgainAsync();
        Assert.False(await LogsInAsync(), "the fresh database has the user");
        var missing = await Machine.RunAsync("stuff", "restore", "--from-repository", "deadbeef", "--yes");
        Assert.NotEqual(0, missing.ExitCode);
        Says(missing, "There is no snapshot 'deadbeef'");
        var restore = await Machine.RunAsync("stuff", "restore", "--from-repository", "--yes");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Says(restore, $"Reading snapshot {snapshot}");
        Says(restore, "Starting the app's service again");
        await Eventually.HoldsAsync(LogsInAsync, TimeSpan.FromSeconds(15), "the restored user logs in");

        // A wrong password: backup, the doctor and setup each say so; setup changes nothing.
        await File.WriteAllTextAsync(envFile, (await File.ReadAllTextAsync(envFile)).Replace($"STUFF_BACKUP_PASSWORD='{password}'", "STUFF_BACKUP_PASSWORD='not-the-password'"));
        try
        {
            var wrong = await Machine.RunAsync("stuff", "backup");
            Assert.NotEqual(0, wrong.ExitCode);
            Says(wrong, "it is not off-site. The password is wrong for " + SftpRepository);
            (_, findings) = await site.DoctorAsync();
            Assert.Equal("failed", findings["offsite"].Verdict);
            Assert.Contains("password is wrong", findings["offsite"].Cause);
            var wrongSetup = await site.SetupAsync();
            Assert.NotEqual(0, wrongSetup.ExitCode);
            Says(wrongSetup, "Give setup the repository's own password: --backup-password-file FILE");
        }
        finally
        {
            await File.WriteAllTextAsync(envFile, (await File.ReadAllTextAsync(envFile)).Replace("STUFF_BACKUP_PASSWORD='not-the-password'", $"STUFF_BACKUP_PASSWORD='{password}'"));
        }

        // No log and no output on the way ever showed the password.
        var journal = await Machine.MustAsync("journalctl", "--no-pager", "-o", "cat");
        foreach (var (what, text) in new[] { ("setup", setup.ToString()), ("setup again", again.ToString()), ("the backups and their process list", processes), ("the restore", restore.ToString()), ("the journal", journal) })
            Assert.False(text.Contains(password, StringComparison.Ordinal), $"{what} showed the repository's password");

        // Another repository, a path on this machine (a mounted disk); then damaged: the drill fails and names it.
        var local = await site.SetupAsync(Deployment.Installed, "--backup-repository", LocalRepository);
        Assert.True(local.ExitCode == 0, local.ToString());
        var sent = await Machine.MustAsync("stuff", "backup");
        Assert.Contains($"Sent it off-site to {LocalRepository} as snapshot", sent);
        var localSnapshot = sent.Split("as snapshot ")[1][..8];
        await Machine.ShAsync($"for f in {LocalRepository}/data/*/*; do printf 'damaged by the test' | dd of=\"$f\" bs=1 seek=64 conv=notrunc status=none; done");
        var damaged = await Machine.RunAsync("stuff", "backup", "--verify");
        Assert.NotEqual(0, damaged.ExitCode);
        Says(damaged, $"Restore drill FAILED");
        Says(damaged, $"snapshot {localSnapshot}");
        Says(damaged, "is damaged (");
        (_, findings) = await site.DoctorAsync();
        Assert.Equal("failed", findings["restore-drill"].Verdict);

        // Off again: the settings lose the repository, the backups stay local.
        var off = await site.SetupAsync(Deployment.Installed, "--backup-repository", "none");
        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.DoesNotContain("STUFF_BACKUP_REPOSITORY", await File.ReadAllTextAsync(envFile));
        (_, findings) = await site.DoctorAsync();
        Assert.Equal("warning", findings["offsite"].Verdict);
    }

    /// <summary>The command's output (either stream) says this; the whole of it is shown when not.</summary>
    private static void Says(CliResult result, string expected) =>
        Assert.True(result.ToString().Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in:\n{result}");

    private async Task<bool> LogsInAsync()
    {
        using var client = Machine.Client();
        try
        {
            var response = await Forms.PostAsync(client, SetUpServer.Site + "account/login", [new("Form.Username", "offsite"), new("Form.Password", UserPassword)]);
            return response.StatusCode == HttpStatusCode.Redirect;
        }
        catch (Exception e) when (e is HttpRequestException or Xunit.Sdk.XunitException)
        {
            return false;
        }
    }
}
