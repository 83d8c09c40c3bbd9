using System.Net;
using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>
/// A server without systemd, as a container is (no init system at all): setup starts PostgreSQL and
/// Apache itself and runs the app under `stuff supervise`, which restarts it when it dies.
/// </summary>
[Collection(SecondLane.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class ContainerTests
{
    [MachineFact]
    public async Task Without_systemd_setup_supervises_the_app_and_the_supervisor_restarts_it()
    {
        await using var machine = await ServerMachine.StartContainerAsync();
        Assert.NotEqual(0, (await machine.RunAsync("test", "-d", "/run/systemd/system")).ExitCode);

        var setup = await machine.RunAsync($"{ServerMachine.Release}/stuff", "setup", "--domain", SetUpServer.Domain, "--tls", "self-signed");
        Assert.True(setup.ExitCode == 0, setup.ToString());
        Assert.Contains("Site answers over HTTPS ... ok", setup.Output);
        using var client = machine.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(SetUpServer.Site)).StatusCode);

        var port = new Deployment(machine).LivePort;
        // /run is the container's own tmpfs: read inside.
        var supervisor = (await machine.MustAsync("cat", $"/run/stuff/stuff-{port}.pid")).Trim();
        Assert.Contains($"/opt/stuff/slots/{port}/bin/stuff supervise", await machine.MustAsync("ps", "-o", "args=", "-p", supervisor));
        var doctor = await machine.RunAsync("stuff", "doctor");
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
        Assert.Contains($"supervised (pid {supervisor}", doctor.Output);

        // The app dies; its supervisor starts it again.
        var app = (await machine.MustAsync("pgrep", "-P", supervisor)).Trim();
        await machine.MustAsync("kill", "-KILL", app);
        await Eventually.HoldsAsync(async () =>
        {
            var now = await machine.RunAsync("pgrep", "-P", supervisor);
            if (now.ExitCode != 0 || now.Output.Trim() == app) return false;
            try
            {
                return (await client.GetAsync(SetUpServer.Site)).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the site answering from a new process after kill -9");

        var second = await machine.RunAsync("stuff", "setup", "--domain", SetUpServer.Domain, "--tls", "self-signed");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Nothing to change", second.Output);
    }
}
