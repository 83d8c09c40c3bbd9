using Stuff.Deploy.Machines;
using Stuff.Server;

namespace Stuff.Deploy;

/// <summary>
/// `stuff setup --instances 2` on a systemd server: two app units behind Apache's balancer. A
/// signed-in person keeps working while either instance is stopped under load, and a stopped
/// instance that starts again takes its share of the traffic back. An app host elsewhere joins the
/// balancer with --app-host.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class BalancerTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private const string UserPassword = "balanced passphrase for tests";
    private const string SiteFile = "/etc/apache2/sites-available/stuff.conf";
    private ServerMachine Machine => server.Machine;
    private Deployment Site => new(server.Machine);

    [MachineFact]
    public async Task Two_instances_share_the_work_and_either_can_stop_under_load()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        try
        {
            var setup = await Site.SetupAsync(Deployment.Installed, "--instances", "2");
            Assert.True(setup.ExitCode == 0, setup.ToString());
            var ports = ReleaseStore.Ports(Site.LivePort, 2).ToList();
            var apache = await File.ReadAllTextAsync(Machine.At(SiteFile));
            Assert.Contains("ProxyPass /stuff/ balancer://stuff/stuff/", apache);
            foreach (var port in ports)
            {
                Assert.Contains($"BalancerMember \"http://127.0.0.1:{port}\"", apache);
                Assert.Equal("active", (await Machine.RunAsync("systemctl", "is-active", Deployment.Unit(port))).Output.Trim());
            }
            var doctor = await Machine.RunAsync("stuff", "doctor");
            Assert.True(doctor.ExitCode == 0, doctor.ToString());

            using var person = await SignedInPersonAsync("balanced");

            foreach (var stopped in ports)
            {
                var (_, served) = await Site.UnderLoadAsync(async () =>
                {
                    await Machine.MustAsync("systemctl", "stop", Deployment.Unit(stopped));
                    // The other instance knows the person: the key ring is the host's.
                    await Forms.AssertRedirectAsync(await PostFormAsync(person, $"while {stopped} was down"));
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    // A notify unit: the start returns once the instance says it is ready.
                    await Machine.MustAsync("systemctl", "start", Deployment.Unit(stopped));
                    // Past the balancer's retry interval, so the instance is asked again.
                    await Task.Delay(TimeSpan.FromSeconds(6));
                    return 0;
                });
                served.AssertFailureRateBelow(0.001);
            }
            //#if (sample)
            var list = await person.GetStringAsync(SetUpServer.Site);
            foreach (var port in ports) Assert.Contains($"while {port} was down", list);
            //#endif
        }
        finally
        {
            await Site.SetupAgainAsync("--instances", "1");
        }
        Assert.DoesNotContain("balancer://", await File.ReadAllTextAsync(Machine.At(SiteFile)));
        Assert.Equal(1, Site.Releases.LiveInstances);
        Assert.Single((await Machine.MustAsync("systemctl", "list-units", "stuff@*", "--state=active", "--plain", "--no-legend")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [MachineFact]
    public async Task An_app_host_elsewhere_serves_through_the_balancer_and_the_doctor_names_it_when_it_is_down()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        // The app on "another host": 127.0.0.2 is not the address setup runs this host's instances on.
        const string member = "http://127.0.0.2:5190";
        const string elsewhere = "stuff-elsewhere";
        try
        {
            var setup = await Site.SetupAsync(Deployment.Installed, "--instances", "1", "--app-host", "127.0.0.2:5190");
            Assert.True(setup.ExitCode == 0, setup.ToString());
            Assert.Contains($"BalancerMember \"{member}\" retry=5", await File.ReadAllTextAsync(Machine.At(SiteFile)));
            Assert.Contains("STUFF_KEYS=database", await File.ReadAllTextAsync(Machine.At("/etc/stuff/stuff.env")));

            // Not started yet: the site serves from this host, and the doctor names the member that is down.
            var doctor = await Machine.RunAsync("stuff", "doctor");
            Assert.True(doctor.ExitCode == 0, doctor.ToString());
            Assert.Contains($"warning  Balancer members: 1 of 2 not ready: {member} nothing listens there", doctor.Output);

            // The other host runs the live release with the same settings as the service user; a
            // transient notify unit, so the start returns once it is up.
            await Machine.MustAsync("systemd-run", "--unit", elsewhere, "-p", "Type=notify", "-p", "User=stuff", "-p", "Environment=STUFF_ENV_FILE=/etc/stuff/stuff.env",
                Deployment.Installed, "serve", "--urls", member);
            // Setup's check through Apache found it down; past the balancer's retry interval Apache asks it again.
            await Task.Delay(TimeSpan.FromSeconds(6));
            await Eventually.HoldsAsync(async () => (await Machine.RunAsync("stuff", "doctor")).Output.Contains("ok       Balancer members: all 2 answer ready", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), "the doctor finding both members ready");
            doctor = await Machine.RunAsync("stuff", "doctor");
            Assert.True(doctor.ExitCode == 0, doctor.ToString());
            Assert.Contains("ok       Shared key ring", doctor.Output);
            // ... encrypted in the database with the certificate setup made, which only the app reads.
            Assert.True(doctor.Output.Contains("ok       Data-protection keys: in the database (STUFF_KEYS=database), encrypted with CN=stuff-keys", StringComparison.Ordinal), doctor.Output);
            Assert.Equal("640 root:stuff", (await Machine.MustAsync("stat", "-c", "%a %U:%G", "/etc/stuff/keys.pem")).Trim());
            var ring = await Machine.MustAsync("runuser", "-u", "postgres", "--", "psql", "-XtA", "-d", "stuff", "-c", "SELECT \"Xml\" FROM data_protection_keys");
            Assert.Contains("<encryptedSecret", ring);
            Assert.DoesNotContain("unencrypted form", ring);

            // A person signs in on whichever member; with this host's instance stopped, the other host serves them.
            using var person = await SignedInPersonAsync("elsewhere");
            var local = Deployment.Unit(Site.LivePort);
            await Machine.MustAsync("systemctl", "stop", local);
            try
            {
                for (var i = 0; i < 5; i++)
                    await Forms.AssertRedirectAsync(await PostFormAsync(person, $"from elsewhere {i}"));
                doctor = await Machine.RunAsync("stuff", "doctor");
                Assert.Contains($"http://127.0.0.1:{Site.LivePort}: sudo systemctl start {local}", doctor.Output);
            }
            finally
            {
                await Machine.MustAsync("systemctl", "start", local);
            }
            //#if (sample)
            Assert.Contains("from elsewhere 4", await person.GetStringAsync(SetUpServer.Site));
            //#endif
        }
        finally
        {
            await Machine.RunAsync("systemctl", "stop", elsewhere);
            await Site.SetupAgainAsync("--instances", "1", "--app-host", "none");
        }
        Assert.DoesNotContain("balancer://", await File.ReadAllTextAsync(Machine.At(SiteFile)));
        Assert.DoesNotContain("STUFF_KEYS", await File.ReadAllTextAsync(Machine.At("/etc/stuff/stuff.env")));
    }

    /// <summary>A new user of the installed site, signed in through Apache.</summary>
    private async Task<HttpClient> SignedInPersonAsync(string prefix)
    {
        var name = $"{prefix}{Guid.NewGuid():N}"[..20];
        var user = await Machine.RunAsync("env", $"STUFF_USER_PASSWORD={UserPassword}", "stuff", "createuser", "--username", name, "--no-input");
        Assert.True(user.ExitCode == 0, user.ToString());
        var person = Machine.Client();
        await Forms.AssertRedirectAsync(await Forms.PostAsync(person, SetUpServer.Site + "account/login", [new("Form.Username", name), new("Form.Password", UserPassword)]));
        return person;
    }

    /// <summary>A form that only a signed-in person may post: a new row of stuff (without the sample: their password, changed to itself).</summary>
    private static Task<HttpResponseMessage> PostFormAsync(HttpClient person, string text) =>
#if nosample
        Forms.PostAsync(person, SetUpServer.Site + "account/password", Forms.PasswordFields(UserPassword, UserPassword));
#else
        Forms.PostAsync(person, SetUpServer.Site + "new", [new("Form.Junk", text), new("Form.Things", "t"), new("Form.SomeNum", "1")]);
#endif
}
