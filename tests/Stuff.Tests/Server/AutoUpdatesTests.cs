using Stuff.Server;

namespace Stuff.Tests.Server;

/// <summary>Reading `apt-config dump`: whether unattended-upgrades runs (apt reads every file of apt.conf.d; the last setting wins).</summary>
public sealed class AutoUpdatesTests
{
    [Theory]
    [InlineData("APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n", true)]
    [InlineData("APT::Periodic::Unattended-Upgrade \"7\";\n", true)]
    [InlineData("APT::Periodic::Unattended-Upgrade \"always\";\n", true)]
    [InlineData("APT::Periodic::Unattended-Upgrade \"1\";\nAPT::Periodic::Unattended-Upgrade \"0\";\n", false)]
    [InlineData("APT::Periodic::Update-Package-Lists \"1\";\n", false)]
    [InlineData("", false)]
    public void Unattended_upgrades_run_when_apt_says_so_last(string dump, bool on) =>
        Assert.Equal(on, AutoUpdateFacts.AptPeriodicOn(dump, "Unattended-Upgrade"));
}
