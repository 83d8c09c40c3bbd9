using System.Net;
using System.Net.Sockets;
using Stuff.Deploy.Machines;
using Xunit.Abstractions;

namespace Stuff.Deploy;

/// <summary>
/// A server whose ufw is active with its defaults (everything coming in is dropped): the doctor
/// names the firewall with the fix, setup opens HTTP and HTTPS and nothing else, and a second run
/// has nothing to change.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class FirewallTests(SetUpServer server, ITestOutputHelper output) : IClassFixture<SetUpServer>
{
    private ServerMachine Machine => server.Machine;
    private Deployment Site => new(server.Machine);

    [MachineFact]
    public async Task Setup_opens_http_and_https_in_an_active_ufw_and_the_doctor_names_a_blocking_one()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        // ufw's package is in the machine's apt cache (the base downloaded it); nothing is opened by hand.
        await Machine.ShAsync("DEBIAN_FRONTEND=noninteractive apt-get install -y --no-download ufw");
        await Machine.ShAsync("ufw --force enable");
        output.WriteLine(await Machine.ShAsync("LC_ALL=C ufw status verbose"));

        Assert.False(await ReachesAsync(443), "ufw's defaults did not drop HTTPS from outside");
        var (exit, findings) = await Site.DoctorAsync();
        Assert.Equal(1, exit);
        var firewall = findings["firewall"];
        Assert.True(firewall.Verdict == "failed", firewall.ToString());
        Assert.Contains("ufw is active and blocks 80/tcp and 443/tcp", firewall.Summary);
        Assert.StartsWith("sudo ufw allow 80/tcp && sudo ufw allow 443/tcp", firewall.Fix);

        var setup = await Site.SetupAsync();
        Assert.True(setup.ExitCode == 0, setup.ToString());
        Assert.Contains("Firewall ... changed", setup.Output);
        var status = await Machine.ShAsync("LC_ALL=C ufw status verbose");
        output.WriteLine(status);
        // Only the two ports: ufw lists each rule for IPv4 and IPv6.
        var rules = status.Split('\n').Where(l => l.Contains(" ALLOW", StringComparison.Ordinal)).Select(l => l.Split("  ")[0].Trim()).ToList();
        Assert.Equal(["80/tcp", "443/tcp", "80/tcp (v6)", "443/tcp (v6)"], rules);
        Assert.True(await ReachesAsync(443), "HTTPS is still dropped after setup");
        using var client = Machine.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(SetUpServer.Site)).StatusCode);
        Assert.Equal(HttpStatusCode.PermanentRedirect, (await client.GetAsync($"http://{SetUpServer.Domain}/stuff/")).StatusCode);
        (exit, findings) = await Site.DoctorAsync();
        Assert.True(exit == 0, string.Join("\n", findings.Values));
        Assert.Equal("ufw lets in 80/tcp and 443/tcp", findings["firewall"].Summary);

        var again = await Site.SetupAsync();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Nothing to change", again.Output);
    }

    /// <summary>Whether a TCP connection from outside the machine gets through, within a few seconds (a dropped SYN never answers).</summary>
    private async Task<bool> ReachesAsync(int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await socket.ConnectAsync(Machine.Address, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
