using static Stuff.Tests.Deploy.Machine;

namespace Stuff.Tests.Deploy;

/// <summary>A backup taken on the deployed site restores onto a freshly set-up server, with the service stopped and started around it.</summary>
[Collection(DeployCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class BackupRestoreDeployTests(DeployedSite site) : IClassFixture<DeployedSite>
{
    private const string Stuff = DeployedSite.Installed;

    [DeployFact]
    public async Task A_backup_restores_onto_a_freshly_set_up_server()
    {
        _ = site;
        await WriteMarkAsync();
        var backup = await RunAsync("runuser", "-u", "stuff", "--", "env", "STUFF_ENV_FILE=/etc/stuff/stuff.env", Stuff, "backup");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var file = backup.Output.Split(" to ")[1].Split(" (")[0];
        Assert.Equal("600 stuff:stuff", (await RunAsync("stat", "-c", "%a %U:%G", file)).Output.Trim());

        // A fresh server: the database is gone, and setup makes a new, empty one.
        await ShAsync("runuser -u postgres -- psql -X -q -c 'DROP DATABASE stuff WITH (FORCE)'");
        var setup = await RunAsync(Stuff, "setup", "--domain", "localhost", "--tls", "self-signed");
        Assert.True(setup.ExitCode == 0, setup.ToString());
        Assert.False(await HasMarkAsync(), "the fresh server has the data of the old one");

        var restore = await RunAsync("env", "STUFF_ENV_FILE=/etc/stuff/stuff.env", Stuff, "restore", file, "--yes");

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains("Stopping the app's service", restore.Output);
        Assert.Contains("Starting the app's service again", restore.Output);
        var restored = false;
        for (var i = 0; i < 30 && !restored; i++)
        {
            await Task.Delay(500);
            restored = await HasMarkAsync();
        }
        Assert.True(restored, "the restored data is not served");
        var doctor = await RunAsync(Stuff, "doctor");
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        Assert.Contains("ok       Backups:", doctor.Output);
    }

#if nosample
    /// <summary>Data only the backup has: a user.</summary>
    private static async Task WriteMarkAsync()
    {
        var user = await RunAsync("runuser", "-u", "stuff", "--", "env", "STUFF_ENV_FILE=/etc/stuff/stuff.env", "STUFF_USER_PASSWORD=a passphrase that survives",
            Stuff, "createuser", "--username", "survivor", "--no-input");
        Assert.True(user.ExitCode == 0, user.ToString());
    }

    /// <summary>Whether the site has it: the user can log in through Apache.</summary>
    private static async Task<bool> HasMarkAsync()
    {
        using var client = ThroughApache();
        var response = await Forms.PostAsync(client, "https://localhost/stuff/account/login",
            [new("Form.Username", "survivor"), new("Form.Password", "a passphrase that survives")]);
        return response.StatusCode == System.Net.HttpStatusCode.Redirect;
    }
#else
    /// <summary>Data only the backup has: a row of stuff.</summary>
    private static Task WriteMarkAsync() => ShAsync(
        "runuser -u postgres -- psql -X -q -d stuff -c \"INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version) VALUES ('survives the restore', 't', 7, now(), now(), 1)\"");

    /// <summary>Whether the site serves it: the row is on the list, through Apache.</summary>
    private static async Task<bool> HasMarkAsync()
    {
        using var client = ThroughApache();
        using var response = await client.GetAsync("https://localhost/stuff/");
        return (await response.Content.ReadAsStringAsync()).Contains("survives the restore", StringComparison.Ordinal);
    }
#endif
}
