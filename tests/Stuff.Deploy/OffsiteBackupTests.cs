using System.Net;
using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>
/// Off-site backups through real restic, set up by setup, on a deployed systemd server: a
/// repository restic cannot use is refused with its reason and the site's settings are left as
/// they were; backups are sent, kept per the retention policy, restore onto a server whose
/// database was lost, and the restore drill passes on a good snapshot and fails on a damaged one.
/// The repository is a path on the machine (a mounted disk, as restic sees it, the same code as
/// any other backend) and unreachable sftp: for the errors.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class OffsiteBackupTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private const string Repository = "/srv/offsite/stuff";
    private const string UserPassword = "a passphrase kept off-site";
    private ServerMachine Machine => server.Machine;

    [MachineFact]
    public async Task Backups_go_off_site_restore_from_there_and_a_drill_tells_a_good_snapshot_from_a_damaged_one()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        var site = new Deployment(Machine);
        var envFile = Machine.At("/etc/stuff/stuff.env");
        var settings = await File.ReadAllTextAsync(envFile);

        // Bad input: a URL restic does not understand, and a host nobody answers on; the site's settings stay.
        var unknown = await site.SetupAsync(Deployment.Installed, "--backup-repository", "ftp:backup@example.org/stuff");
        Assert.NotEqual(0, unknown.ExitCode);
        Says(unknown, "restic does not understand the repository 'ftp:backup@example.org/stuff'");
        var unreachable = await site.SetupAsync(Deployment.Installed, "--backup-repository", "sftp:backup@127.0.0.1:/srv/stuff");
        Assert.NotEqual(0, unreachable.ExitCode);
        Says(unreachable, "Off-site backups ... FAILED");
        Says(unreachable, "cannot be reached");
        Says(unreachable, "The service user's public key: ssh-ed25519 ");
        Assert.Equal(settings, await File.ReadAllTextAsync(envFile));

        // The repository: made by setup, its password kept in the env file and never shown.
        var setup = await site.SetupAsync(Deployment.Installed, "--backup-repository", Repository);
        Assert.True(setup.ExitCode == 0, setup.ToString());
        Assert.Contains($"Off-site backups ... changed", setup.Output);
        Assert.Contains($"Backups also go to {Repository}. Keep a copy of STUFF_BACKUP_PASSWORD", setup.Output);
        var password = (await File.ReadAllLinesAsync(envFile)).Single(l => l.StartsWith("STUFF_BACKUP_PASSWORD=", StringComparison.Ordinal))["STUFF_BACKUP_PASSWORD=".Length..];
        Assert.True(password.Length >= 32, "the generated repository password is short");
        var again = await site.SetupAsync();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Nothing to change", again.Output);

        // Data only the backups have; three backups in one day leave the newest snapshot (7 daily, 4 weekly, 12 monthly).
        var user = await Machine.RunAsync("env", $"STUFF_USER_PASSWORD={UserPassword}", "stuff", "createuser", "--username", "offsite", "--no-input");
        Assert.True(user.ExitCode == 0, user.ToString());
        var processes = await Machine.ShAsync("""
            stuff backup > /tmp/backup.out 2>&1 & b=$!
            while kill -0 $b 2>/dev/null; do ps -eo args; sleep 0.05; done
            wait $b; cat /tmp/backup.out
            """);
        Assert.Contains("restic", processes);
        Assert.Contains($"Sent it off-site to {Repository} as snapshot", processes);
        await Machine.MustAsync("stuff", "backup");
        var last = await Machine.MustAsync("stuff", "backup");
        var snapshot = last.Split("as snapshot ")[1][..8];
        var list = await Machine.MustAsync("stuff", "backup", "--list");
        Assert.Contains("1 snapshot(s) in " + Repository, list);
        Assert.Contains(snapshot, list);

        // The drill passes on the snapshot; the doctor says so.
        var drill = await Machine.RunAsync("stuff", "backup", "--verify");
        Assert.True(drill.ExitCode == 0, drill.ToString());
        Assert.Contains($"Restore drill passed", drill.Output);
        Assert.Contains($"snapshot {snapshot}", drill.Output);
        var (_, findings) = await site.DoctorAsync();
        Assert.Equal("ok", findings["offsite"].Verdict);
        Assert.Contains(snapshot, findings["offsite"].Summary);
        Assert.Equal("ok", findings["restore-drill"].Verdict);

        // The server loses its database; a set-up server with the same settings restores from the repository.
        await Machine.MustAsync("runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-c", "DROP DATABASE stuff WITH (FORCE)");
        await site.SetupAgainAsync();
        Assert.False(await LogsInAsync(), "the fresh database has the user");
        var missing = await Machine.RunAsync("stuff", "restore", "--from-repository", "deadbeef", "--yes");
        Assert.NotEqual(0, missing.ExitCode);
        Says(missing, "There is no snapshot 'deadbeef'");
        var restore = await Machine.RunAsync("stuff", "restore", "--from-repository", "--yes");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains($"Reading snapshot {snapshot}", restore.Output);
        Assert.Contains("Starting the app's service again", restore.Output);
        await Eventually.HoldsAsync(LogsInAsync, TimeSpan.FromSeconds(15), "the restored user logs in");

        // A wrong password: backup, the doctor and setup each say so; nothing changes.
        await File.WriteAllTextAsync(envFile, (await File.ReadAllTextAsync(envFile)).Replace("STUFF_BACKUP_PASSWORD=" + password, "STUFF_BACKUP_PASSWORD=not-the-password"));
        try
        {
            var wrong = await Machine.RunAsync("stuff", "backup");
            Assert.NotEqual(0, wrong.ExitCode);
            Says(wrong, "it is not off-site. The password is wrong for " + Repository);
            (_, findings) = await site.DoctorAsync();
            Assert.Equal("failed", findings["offsite"].Verdict);
            Assert.Contains("password is wrong", findings["offsite"].Cause);
            var wrongSetup = await site.SetupAsync();
            Assert.NotEqual(0, wrongSetup.ExitCode);
            Says(wrongSetup, "Give the repository's own password to setup in the environment");
        }
        finally
        {
            await File.WriteAllTextAsync(envFile, (await File.ReadAllTextAsync(envFile)).Replace("STUFF_BACKUP_PASSWORD=not-the-password", "STUFF_BACKUP_PASSWORD=" + password));
        }

        // No log and no output on the way ever showed the password.
        var journal = await Machine.MustAsync("journalctl", "--no-pager", "-o", "cat");
        foreach (var (what, text) in new[] { ("setup", setup.Output), ("setup again", again.Output), ("the backups", processes + last), ("the drill", drill.Output), ("the restore", restore.Output), ("the journal", journal) })
            Assert.False(text.Contains(password, StringComparison.Ordinal), $"{what} showed the repository's password");

        // A damaged repository: the drill fails and names it; the doctor reports the failed drill.
        await Machine.ShAsync($"for f in {Repository}/data/*/*; do printf 'damaged by the test' | dd of=\"$f\" bs=1 seek=64 conv=notrunc status=none; done");
        var damaged = await Machine.RunAsync("stuff", "backup", "--verify");
        Assert.NotEqual(0, damaged.ExitCode);
        Says(damaged, "Restore drill FAILED");
        Says(damaged, $"snapshot {snapshot}");
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
