using System.Net;
using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>
/// A backup taken on a deployed systemd server restores onto a freshly set-up one: the unit is
/// stopped and started around it, and the restored data is served.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class BackupRestoreTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private const string Password = "a passphrase that survives";
    private ServerMachine Machine => server.Machine;

    [MachineFact]
    public async Task A_backup_restores_onto_a_freshly_set_up_server()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        // Data only the backup has: a user.
        var user = await Machine.RunAsync("env", $"STUFF_USER_PASSWORD={Password}", "stuff", "createuser", "--username", "survivor", "--no-input");
        Assert.True(user.ExitCode == 0, user.ToString());
        var backup = await Machine.RunAsync("stuff", "backup");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var file = backup.Output.Split(" to ")[1].Split(" (")[0];
        Assert.Equal("600 stuff:stuff", (await Machine.MustAsync("stat", "-c", "%a %U:%G", file)).Trim());

        // A fresh server: the database is gone, and setup makes a new, empty one.
        await Machine.MustAsync("runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-c", "DROP DATABASE stuff WITH (FORCE)");
        var setup = await Machine.RunAsync("stuff", "setup", "--domain", SetUpServer.Domain, "--tls", "self-signed");
        Assert.True(setup.ExitCode == 0, setup.ToString());
        Assert.False(await SurvivorLogsInAsync(), "the fresh server has the data of the old one");

        var restore = await Machine.RunAsync("stuff", "restore", file, "--yes");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains("Stopping the app's service", restore.Output);
        Assert.Contains("Starting the app's service again", restore.Output);
        await Eventually.HoldsAsync(SurvivorLogsInAsync, TimeSpan.FromSeconds(15), "the restored data served");
        var doctor = await Machine.RunAsync("stuff", "doctor");
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        Assert.Contains("ok       Backups:", doctor.Output);
    }

    /// <summary>Whether the site has the user: the login through Apache succeeds.</summary>
    private async Task<bool> SurvivorLogsInAsync()
    {
        using var client = Machine.Client();
        try
        {
            var response = await Forms.PostAsync(client, SetUpServer.Site + "account/login", [new("Form.Username", "survivor"), new("Form.Password", Password)]);
            return response.StatusCode == HttpStatusCode.Redirect;
        }
        catch (Exception e) when (e is HttpRequestException or Xunit.Sdk.XunitException)
        {
            // Not answering yet (the service starting again): not restored yet.
            return false;
        }
    }
}
