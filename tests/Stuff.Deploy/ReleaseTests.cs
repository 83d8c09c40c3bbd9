using System.Text.Json.Nodes;
using Stuff.Deploy.Machines;
using Stuff.Server;

namespace Stuff.Deploy;

/// <summary>
/// A release that never gets ready and rollbacks on a set-up systemd server, each under
/// continuous load through Apache over HTTPS: not one request may fail while the release changes.
/// (The upgrade under load is in <see cref="SystemdServerTests"/>.)
/// </summary>
[Collection(MachineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class ReleaseTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private ServerMachine Machine => server.Machine;
    private Deployment Site => new(server.Machine);

    [MachineFact]
    public async Task A_release_that_never_gets_ready_leaves_the_live_one_serving()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        var live = Site.Releases.LiveRelease;
        // Settings that make it listen where it may not: it never answers /readyz.
        var broken = await Site.CopyOfReleaseAsync("broken");
        var settings = Machine.At(Path.Combine(Path.GetDirectoryName(broken)!, "appsettings.json"));
        var json = JsonNode.Parse(await File.ReadAllTextAsync(settings))!;
        json["Kestrel"] = JsonNode.Parse("""{"Endpoints":{"Http":{"Url":"http://127.0.0.1:1"}}}""");
        await File.WriteAllTextAsync(settings, json.ToJsonString());

        var (failed, served) = await Site.UnderLoadAsync(() => Site.SetupAsync(broken, "--ready-timeout", "10"));

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("did not become ready", failed.Error);
        Assert.Contains("within 10 s", failed.Error);
        Assert.Contains($"the live release {ReleaseStore.NameOf(live)} keeps serving", failed.Error);
        Assert.Contains("Permission denied", failed.Error);
        served.AssertNoFailures();
        Assert.Equal(live, Site.Releases.LiveRelease);
        var idle = await Machine.RunAsync("systemctl", "is-active", Deployment.Unit(Site.Releases.IdlePort));
        Assert.True(idle.Output.Trim() is "inactive" or "failed", $"the broken release was left running: {idle}");
        await AssertDoctorOkAsync();
    }

    [MachineFact]
    public async Task Rollback_switches_back_under_load_and_refuses_what_it_cannot_undo_until_told_to_restore()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        // Two new releases, one after the other: the rollback goes from the second to the first.
        var first = await Site.CopyOfReleaseAsync("before-rollback");
        var newer = await Site.CopyOfReleaseAsync("rollback");
        var install = await Site.SetupAsync(first);
        Assert.True(install.ExitCode == 0, install.ToString());
        var older = Site.Releases.LiveRelease;
        var upgrade = await Site.SetupAsync(newer);
        Assert.True(upgrade.ExitCode == 0, upgrade.ToString());
        var upgraded = Site.Releases.LiveRelease;

        var (rollback, served) = await Site.UnderLoadAsync(() => Machine.RunAsync("stuff", "rollback"));

        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Contains($"Rolling back from {ReleaseStore.NameOf(upgraded)} to {ReleaseStore.NameOf(older)}", rollback.Output);
        served.AssertNoFailures();
        Assert.Equal(older, Site.Releases.LiveRelease);
        await AssertDoctorOkAsync();

        // Forward again (setup finds the release installed), then the newer release's data
        // carries a migration the older one does not know and nobody can revert.
        var again = await Site.SetupAsync(newer);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(upgraded, Site.Releases.LiveRelease);
        Assert.Contains("Install the release ... ok", again.Output);
        await SqlAsync("INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('29990101000000_FromTheFuture', '10.0.0')");
        //#if (sample)
        await SqlAsync("INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version) VALUES ('written after the upgrade', 't', 1, now(), now(), 1)");
        //#endif

        var refused = await Machine.RunAsync("stuff", "rollback");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("29990101000000_FromTheFuture is applied but this release does not know it", refused.Error);
        Assert.Contains($"Nothing was changed; {ReleaseStore.NameOf(upgraded)} keeps serving", refused.Error);
        //#if (sample)
        Assert.Contains("1 stuff row(s) added or changed", refused.Error);
        //#endif
        Assert.Contains("recorded change(s) in the history", refused.Error);
        Assert.Equal(upgraded, Site.Releases.LiveRelease);
        var offered = System.Text.RegularExpressions.Regex.Match(refused.Error, @"rollback --restore-backup (\S+\.pgdump)");
        Assert.True(offered.Success, refused.ToString());

        var restored = await Machine.RunAsync("stuff", "rollback", "--restore-backup", offered.Groups[1].Value);

        Assert.True(restored.ExitCode == 0, restored.ToString());
        Assert.Equal(older, Site.Releases.LiveRelease);
        Assert.DoesNotContain("FromTheFuture", await Machine.MustAsync("runuser", "-u", "postgres", "--", "psql", "-XtA", "-d", "stuff", "-c", "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\""));
        using var client = Machine.Client();
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                return !(await client.GetStringAsync(SetUpServer.Site)).Contains("written after the upgrade", StringComparison.Ordinal);
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(15), "the restored data served");
        await AssertDoctorOkAsync();
    }

    private Task SqlAsync(string sql) => Machine.ShAsync($"runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d stuff -c '{sql.Replace("'", "'\\''")}'");

    private async Task AssertDoctorOkAsync()
    {
        var doctor = await Machine.RunAsync("stuff", "doctor");
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
    }
}
