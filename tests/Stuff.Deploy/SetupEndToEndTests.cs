using System.Net;
using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>
/// The site as setup leaves it on a fresh server, used as people use it: HTTP sends them to HTTPS,
/// they sign in and write through Apache, and what they wrote stays; the settings are locked
/// down and every command finds them by itself.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class SetupEndToEndTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private const string AdminPassword = "deploy test passphrase";
    private const string Site = SetUpServer.Site;
    private ServerMachine Machine => server.Machine;

    [MachineFact]
    public async Task The_site_redirects_to_https_and_keeps_what_people_write_through_apache()
    {
        var first = server.FirstSetup;
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches(@"\[(\d+)/\1\] Site answers over HTTPS \.\.\. ok", first.Output);
        Assert.Contains($"The site: {Site}", first.Output);

        Assert.Equal("640 root:stuff", (await Machine.MustAsync("stat", "-c", "%a %U:%G", "/etc/stuff/stuff.env")).Trim());
        await Machine.MustAsync("apache2ctl", "-t");
        var doctor = await Machine.RunAsync("stuff", "doctor");
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        Assert.Contains(" 0 failed", doctor.Output);
        // The installed executable finds the installed settings by itself, as root and as the service user.
        foreach (var asWhom in new[] { new[] { "env" }, ["runuser", "-u", "stuff", "--", "env"] })
        {
            var migrations = await Machine.RunAsync([.. asWhom, "-u", "STUFF_ENV_FILE", Deployment.Installed, "migrate", "--list"]);
            Assert.True(migrations.ExitCode == 0, migrations.ToString());
            Assert.Contains("Nothing pending.", migrations.Output);
            Assert.DoesNotContain("sqlite", migrations.Output, StringComparison.OrdinalIgnoreCase);
        }
        var superuser = await Machine.RunAsync("env", $"STUFF_SUPERUSER_PASSWORD={AdminPassword}", "stuff", "createsuperuser", "--username", "admin", "--no-input");
        Assert.True(superuser.ExitCode == 0, superuser.ToString());

        using var client = Machine.Client();
        var redirect = await client.GetAsync("http://localhost/stuff/");
        Assert.Equal(HttpStatusCode.PermanentRedirect, redirect.StatusCode);
        Assert.Equal(Site, redirect.Headers.Location!.ToString());

        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, Site + "account/login", [new("Form.Username", "admin"), new("Form.Password", AdminPassword)]));
#if nosample
        // Data to keep: a group, made in the admin and listed there.
        const string keptText = "the kept group";
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, Site + "admin/groups/add", [new("Form.Name", keptText)]));
        const string keptAt = Site + "admin/groups";
#else
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, Site + "new", [new("Form.Junk", "kept junk"), new("Form.Things", "t"), new("Form.SomeNum", "1")]));
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, Site + "new", [new("Form.Junk", "doomed junk"), new("Form.Things", "t"), new("Form.SomeNum", "2")]));
        var list = await client.GetStringAsync(Site);
        var kept = Id(list, "kept junk");
        var doomed = Id(list, "doomed junk");

        var editForm = await client.GetStringAsync($"{Site}edit/{kept}");
        var edit = await client.PostAsync($"{Site}edit/{kept}", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Forms.Token(editForm)), new("Version", Forms.Field(editForm, "Version")),
            new("Form.Junk", "kept and edited junk"), new("Form.Things", "t"), new("Form.SomeNum", "3"),
        ]));
        Assert.Equal("/stuff/", await Forms.AssertRedirectAsync(edit));

        var confirm = await client.GetStringAsync($"{Site}delete/{doomed}");
        var delete = await client.PostAsync($"{Site}delete/{doomed}", new FormUrlEncodedContent(
            [new("__RequestVerificationToken", Forms.Token(confirm)), new("Version", Forms.Field(confirm, "Version"))]));
        await Forms.AssertRedirectAsync(delete);

        Assert.DoesNotContain("aria-label=\"Edit doomed junk\"", await client.GetStringAsync(Site));
        const string keptText = "kept and edited junk", keptAt = Site;
#endif
        Assert.Contains(keptText, await client.GetStringAsync(keptAt));

        // A restart of the app and of Apache keeps it.
        await Machine.MustAsync("systemctl", "restart", Deployment.Unit(new Deployment(Machine).LivePort), "apache2");
        using var again = Machine.Client();
        await Forms.AssertRedirectAsync(await Forms.PostAsync(again, Site + "account/login", [new("Form.Username", "admin"), new("Form.Password", AdminPassword)]));
        Assert.Contains(keptText, await again.GetStringAsync(keptAt));
    }

    //#if (sample)
    private static string Id(string list, string junk)
    {
        var match = System.Text.RegularExpressions.Regex.Match(list, $"href=\"/stuff/edit/(\\d+)\" aria-label=\"Edit {junk}\"");
        Assert.True(match.Success, $"'{junk}' is not on the list.");
        return match.Groups[1].Value;
    }
    //#endif
}
