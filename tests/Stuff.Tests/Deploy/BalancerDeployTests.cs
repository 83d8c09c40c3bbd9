using System.Diagnostics;
using Stuff.Server;
using Stuff.Setup;
using Stuff.Tests.Infrastructure;
using static Stuff.Tests.Deploy.Machine;

namespace Stuff.Tests.Deploy;

/// <summary>
/// `stuff setup --instances 2` on this machine: two app instances behind Apache's balancer. A
/// signed-in person keeps working while either instance is stopped under load, and a stopped
/// instance that starts again takes its share of the traffic back.
/// </summary>
[Collection(DeployCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class BalancerDeployTests(DeployedSite site) : IClassFixture<DeployedSite>
{
    private const string Stuff = DeployedSite.Installed;
    private const string UserPassword = "balanced passphrase for tests";

    [DeployFact]
    public async Task Two_instances_share_the_work_and_either_can_stop_under_load()
    {
        _ = site;
        try
        {
            var setup = await RunAsync(Stuff, "setup", "--domain", "localhost", "--tls", "self-signed", "--instances", "2");
            Assert.True(setup.ExitCode == 0, setup.ToString());
            var ports = ReleaseStore.Ports(LivePort, 2).ToList();
            var apache = await File.ReadAllTextAsync("/etc/apache2/sites-available/stuff.conf");
            Assert.Contains("ProxyPass /stuff/ balancer://stuff/stuff/", apache);
            foreach (var port in ports) Assert.Contains($"BalancerMember \"http://127.0.0.1:{port}\"", apache);
            var doctor = await RunAsync(Stuff, "doctor");
            Assert.True(doctor.ExitCode == 0, doctor.ToString());

            using var person = await SignedInPersonAsync("balanced");

            foreach (var stopped in ports)
            {
                var (_, served) = await ReleaseDeployTests.UnderLoadAsync(async () =>
                {
                    await StopInstanceAsync(stopped);
                    // The other instance knows the person: the key ring is the host's.
                    await Forms.AssertRedirectAsync(await PostFormAsync(person, $"while {stopped} was down"));
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    await StartInstanceAsync(stopped);
                    // Past the balancer's retry interval, so the instance is asked again.
                    await Task.Delay(TimeSpan.FromSeconds(6));
                    return 0;
                });
                served.AssertFailureRateBelow(0.001);
            }
            //#if (sample)
            var list = await person.GetStringAsync("https://localhost/stuff/");
            foreach (var port in ports) Assert.Contains($"while {port} was down", list);
            //#endif
        }
        finally
        {
            var single = await RunAsync(Stuff, "setup", "--domain", "localhost", "--tls", "self-signed", "--instances", "1");
            Assert.True(single.ExitCode == 0, single.ToString());
        }
        Assert.DoesNotContain("balancer://", await File.ReadAllTextAsync("/etc/apache2/sites-available/stuff.conf"));
        Assert.Equal(1, Machine.Releases.LiveInstances);
    }

    [DeployFact]
    public async Task An_app_host_elsewhere_serves_through_the_balancer_and_the_doctor_names_it_when_it_is_down()
    {
        _ = site;
        // The app on "another host": 127.0.0.2 is not the address setup runs this host's instances on.
        const string member = "http://127.0.0.2:5190";
        Process? elsewhere = null;
        try
        {
            var setup = await RunAsync(Stuff, "setup", "--domain", "localhost", "--tls", "self-signed", "--instances", "1", "--app-host", "127.0.0.2:5190");
            Assert.True(setup.ExitCode == 0, setup.ToString());
            Assert.Contains($"BalancerMember \"{member}\" retry=5", await File.ReadAllTextAsync("/etc/apache2/sites-available/stuff.conf"));
            Assert.Contains("STUFF_KEYS=database", await File.ReadAllTextAsync("/etc/stuff/stuff.env"));

            // Not started yet: the site serves from this host, and the doctor names the member that is down.
            var doctor = await RunAsync(Stuff, "doctor");
            Assert.True(doctor.ExitCode == 0, doctor.ToString());
            Assert.Contains($"warning  Balancer members: 1 of 2 not ready: {member} nothing listens there", doctor.Output);

            elsewhere = StartElsewhere(member);
            Assert.True(await Readiness.WaitAsync(member + "/stuff", TimeSpan.FromSeconds(60), CancellationToken.None), "the app host did not get ready");
            // Setup's check through Apache found it down; past the balancer's retry interval Apache asks it again.
            await Task.Delay(TimeSpan.FromSeconds(6));
            doctor = await RunAsync(Stuff, "doctor");
            Assert.True(doctor.ExitCode == 0, doctor.ToString());
            Assert.Contains("ok       Balancer members: all 2 answer ready", doctor.Output);
            Assert.Contains("ok       Shared key ring", doctor.Output);

            // A person signs in on whichever member; with this host's instance stopped, the other host serves them.
            using var person = await SignedInPersonAsync("elsewhere");
            var local = LivePort;
            await StopInstanceAsync(local);
            try
            {
                for (var i = 0; i < 5; i++)
                    await Forms.AssertRedirectAsync(await PostFormAsync(person, $"from elsewhere {i}"));
                doctor = await RunAsync(Stuff, "doctor");
                Assert.Contains($"http://127.0.0.1:{local}: sudo setsid -f runuser -u stuff -- ", doctor.Output);
            }
            finally
            {
                await StartInstanceAsync(local);
            }
            //#if (sample)
            Assert.Contains("from elsewhere 4", await person.GetStringAsync("https://localhost/stuff/"));
            //#endif
        }
        finally
        {
            if (elsewhere is { HasExited: false })
            {
                elsewhere.Kill(entireProcessTree: true);
                await elsewhere.WaitForExitAsync();
            }
            elsewhere?.Dispose();
            var alone = await RunAsync(Stuff, "setup", "--domain", "localhost", "--tls", "self-signed", "--instances", "1", "--app-host", "none");
            Assert.True(alone.ExitCode == 0, alone.ToString());
        }
        Assert.DoesNotContain("balancer://", await File.ReadAllTextAsync("/etc/apache2/sites-available/stuff.conf"));
        Assert.DoesNotContain("STUFF_KEYS", await File.ReadAllTextAsync("/etc/stuff/stuff.env"));
    }

    /// <summary>A new user of the installed site, signed in through Apache.</summary>
    private static async Task<HttpClient> SignedInPersonAsync(string prefix)
    {
        var name = $"{prefix}{Guid.NewGuid():N}"[..20];
        var user = await RunAsync("runuser", "-u", "stuff", "--", "env", "STUFF_ENV_FILE=/etc/stuff/stuff.env", $"STUFF_USER_PASSWORD={UserPassword}",
            Stuff, "createuser", "--username", name, "--no-input");
        Assert.True(user.ExitCode == 0, user.ToString());
        var person = ThroughApache();
        await Forms.AssertRedirectAsync(await Forms.PostAsync(person, "https://localhost/stuff/account/login", [new("Form.Username", name), new("Form.Password", UserPassword)]));
        return person;
    }

    /// <summary>A form that only a signed-in person may post: a new row of stuff (without the sample: their password, changed to itself).</summary>
    private static Task<HttpResponseMessage> PostFormAsync(HttpClient person, string text) =>
#if nosample
        Forms.PostAsync(person, "https://localhost/stuff/account/password", Forms.PasswordFields(UserPassword, UserPassword));
#else
        Forms.PostAsync(person, "https://localhost/stuff/new", [new("Form.Junk", text), new("Form.Things", "t"), new("Form.SomeNum", "1")]);
#endif

    /// <summary>The live release serving on another address with the installed settings, as the service user, the way an app host runs it.</summary>
    private static Process StartElsewhere(string url)
    {
        var log = Path.Combine(Path.GetTempPath(), "stuff-app-host-elsewhere.log");
        var info = new ProcessStartInfo("bash") { UseShellExecute = false };
        foreach (var arg in new[] { "-c", $"exec runuser -u stuff -- env STUFF_ENV_FILE=/etc/stuff/stuff.env {Stuff} serve --urls {url} </dev/null >{log} 2>&1" })
            info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    private static async Task StopInstanceAsync(int port)
    {
        var pid = (await File.ReadAllTextAsync($"/run/stuff/stuff-{port}.pid")).Trim();
        await RunAsync("kill", "-TERM", pid);
        for (var i = 0; i < 60 && Directory.Exists($"/proc/{pid}"); i++) await Task.Delay(250);
    }

    /// <summary>Starts the instance the way setup does (and the doctor's fix says), then waits until it is ready.</summary>
    private static async Task StartInstanceAsync(int port)
    {
        var layout = new Layout(Family.Debian, 0);
        var command = string.Join(' ', Supervisor.Command(layout, Machine.Releases, port));
        await ShAsync($"setsid -f runuser -u stuff -- {command}");
        Assert.True(await Readiness.WaitAsync($"http://127.0.0.1:{port}/stuff", TimeSpan.FromSeconds(60), CancellationToken.None), $"the instance on {port} did not get ready");
    }
}
