using Stuff.Server;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Server;

/// <summary>Reading ufw's and firewalld's answers: which of HTTP and HTTPS an active firewall lets in.</summary>
public sealed class FirewallTests
{
    [Fact]
    public void An_enabled_ufw_without_rules_blocks_both_ports_and_one_with_setups_rules_none()
    {
        var enabled = Fixtures.Read("ufw-status-verbose.enabled-defaults.debian.txt");
        Assert.True(FirewallFacts.UfwActive(enabled));
        Assert.Equal([80, 443], FirewallFacts.UfwBlocked(enabled));

        var opened = Fixtures.Read("ufw-status-verbose.after-setup.debian.txt");
        Assert.Empty(FirewallFacts.UfwBlocked(opened));
        Assert.False(FirewallFacts.UfwActive("Status: inactive\n"));
    }

    [Theory]
    // ufw's own rule forms, in the To column of `ufw status verbose`.
    [InlineData("80,443/tcp                 ALLOW IN    Anywhere", new int[0])]
    [InlineData("Apache Full                ALLOW IN    Anywhere", new int[0])]
    [InlineData("WWW Secure                 ALLOW IN    Anywhere", new[] { 80 })]
    [InlineData("1:1024/tcp                 ALLOW IN    Anywhere", new int[0])]
    [InlineData("443                        ALLOW IN    Anywhere", new[] { 80 })]
    [InlineData("80/udp                     ALLOW IN    Anywhere", new[] { 80, 443 })]
    [InlineData("80/tcp                     DENY IN     Anywhere", new[] { 80, 443 })]
    [InlineData("443/tcp                    ALLOW OUT   Anywhere", new[] { 80, 443 })]
    public void Ufw_rules_count_when_they_let_tcp_in(string rule, int[] blocked)
    {
        var status = Fixtures.Read("ufw-status-verbose.after-setup.debian.txt");
        var header = string.Join('\n', status.Split('\n').TakeWhile(l => !l.StartsWith("80/tcp", StringComparison.Ordinal)));
        Assert.Equal(blocked, FirewallFacts.UfwBlocked($"{header}\n{rule}\n"));
    }

    [Fact]
    public void A_ufw_that_allows_everything_coming_in_blocks_nothing()
    {
        var status = Fixtures.Read("ufw-status-verbose.enabled-defaults.debian.txt").Replace("deny (incoming)", "allow (incoming)", StringComparison.Ordinal);
        Assert.Empty(FirewallFacts.UfwBlocked(status));
    }

    [Theory]
    // `firewall-cmd --list-services` and `--list-ports` print space-separated names, one line each.
    [InlineData("cockpit dhcpv6-client ssh\n", "\n", new[] { 80, 443 })]
    [InlineData("cockpit dhcpv6-client http https ssh\n", "\n", new int[0])]
    [InlineData("ssh\n", "443/tcp 8080/tcp\n", new[] { 80 })]
    [InlineData("http ssh\n", "443/udp\n", new[] { 443 })]
    public void Firewalld_opens_a_port_by_its_service_or_by_the_port(string services, string ports, int[] blocked) =>
        Assert.Equal(blocked, FirewallFacts.FirewalldBlocked(services, ports));
}
