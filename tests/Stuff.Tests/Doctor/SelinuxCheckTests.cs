using Stuff.Doctor;
using Stuff.Server;
using Stuff.Setup;

namespace Stuff.Tests.Doctor;

/// <summary>The SELinux checks against outputs recorded on Fedora hosts (this machine has no SELinux).</summary>
public sealed class SelinuxCheckTests
{
    private const string Static = "/var/www/stuff";
    // The real path, as the check asks for it: on a machine a deploy test set up, /opt/stuff/bin links to a release.
    private static readonly string Executable = RealPath.Of("/opt/stuff/bin/stuff");

    private static DoctorContext Fedora(IShell shell, bool enforcing = true) =>
        new(shell, new HostFacts(Family.Fedora, "Fedora Linux 41", HasSystemd: true, SelinuxEnforcing: enforcing, 16), "/nonexistent/stuff.env", isRoot: true, new ReleaseStore("/nonexistent/opt/stuff"));

    private static RecordedShell FreshFedora() => new RecordedShell()
        .Answer("getsebool httpd_can_network_connect httpd_graceful_shutdown httpd_can_network_relay", Fixtures.Read("getsebool-a.grep-httpd.txt"))
        .Answer("semanage port -l", Fixtures.Read("semanage-port-l.grep-http_port_t.default.txt"))
        .Answer($"ls -dZ {Static}", Fixtures.Read("ls-dZ.static-dir.bad.txt"))
        .Answer($"restorecon -Rnv {Static}", "")
        .Answer($"ls -dZ {Executable}", Fixtures.Read("ls-lZ.opt-stuff-bin.txt").Split('\n').Single(l => l.EndsWith(" stuff", StringComparison.Ordinal)))
        .Answer($"restorecon -Rnv {Executable}", Fixtures.Read("restorecon-Rnv.opt-stuff.txt").Replace("/opt/stuff/bin/stuff", Executable, StringComparison.Ordinal))
        .Answer("semanage fcontext -l -C", Fixtures.Read("semanage-fcontext-l-C.txt"))
        .Answer("ausearch -m AVC,USER_AVC -ts recent", Fixtures.Read("ausearch-m-AVC-ts-recent.httpd.txt"));

    private static RecordedShell ConfiguredFedora() => new RecordedShell()
        .Answer("getsebool httpd_can_network_connect httpd_graceful_shutdown httpd_can_network_relay", "httpd_can_network_connect --> off\nhttpd_graceful_shutdown --> on\nhttpd_can_network_relay --> off\n")
        .Answer("semanage port -l", Fixtures.Read("semanage-port-l.grep-http_port_t.after-add.txt"))
        .Answer($"ls -dZ {Static}", Fixtures.Read("ls-dZ.static-dir.good.txt"))
        .Answer($"restorecon -Rnv {Static}", "")
        .Answer($"ls -dZ {Executable}", $"system_u:object_r:bin_t:s0 {Executable}")
        .Answer($"restorecon -Rnv {Executable}", "")
        .Answer("semanage fcontext -l -C", Fixtures.Read("semanage-fcontext-l-C.txt"))
        .Answer("ausearch -m AVC,USER_AVC -ts recent", Fixtures.Read("ausearch-m-AVC-ts-recent.none.txt"));

    private static async Task<Dictionary<string, Finding>> RunAsync(IShell shell, bool enforcing = true) =>
        (await new SelinuxCheck().RunAsync(Fedora(shell, enforcing), CancellationToken.None)).ToDictionary(f => f.Id);

    [Fact]
    public async Task A_configured_host_passes_every_selinux_check()
    {
        var findings = await RunAsync(ConfiguredFedora());

        Assert.All(findings.Values, f => Assert.True(f.Verdict == Verdict.Ok, $"{f.Id}: {f.Summary} {f.Cause}"));
        Assert.Equal(["selinux-proxy", "selinux-static", "selinux-executable", "selinux-rules", "selinux-denials"], findings.Keys);
    }

    [Fact]
    public async Task A_closed_port_is_named_with_the_port_label_and_the_boolean()
    {
        var proxy = (await RunAsync(FreshFedora()))["selinux-proxy"];

        Assert.Equal(Verdict.Failed, proxy.Verdict);
        Assert.Contains("port 5080 is not labelled http_port_t", proxy.Summary);
        Assert.Contains("semanage port -a -t http_port_t -p tcp 5080", proxy.Fix);
        Assert.Contains("setsebool -P httpd_graceful_shutdown 1", proxy.Fix);
        Assert.DoesNotContain("setenforce 0\n", proxy.Fix);
    }

    [Fact]
    public async Task Static_files_without_a_rule_get_a_rule_and_a_relabel()
    {
        var labels = (await RunAsync(FreshFedora()))["selinux-static"];

        Assert.Equal(Verdict.Failed, labels.Verdict);
        Assert.Contains("is usr_t, not httpd_sys_content_t", labels.Summary);
        Assert.Equal($"sudo semanage fcontext -a -t httpd_sys_content_t '{Static}(/.*)?' && sudo restorecon -Rv {Static}", labels.Fix);
    }

    [Fact]
    public async Task A_moved_executable_is_relabelled_by_restorecon()
    {
        var executable = (await RunAsync(FreshFedora()))["selinux-executable"];

        Assert.Equal(Verdict.Failed, executable.Verdict);
        Assert.Contains($"{Executable} is user_home_t, should be bin_t", executable.Summary);
        Assert.Contains("203/EXEC", executable.Cause);
        Assert.Equal($"sudo restorecon -Rv {Executable}", executable.Fix);
    }

    [Fact]
    public async Task Recent_denials_are_listed_each_with_its_fix()
    {
        var denials = (await RunAsync(FreshFedora()))["selinux-denials"];

        Assert.Equal(Verdict.Failed, denials.Verdict);
        Assert.Contains("2 denial(s)", denials.Summary);
        Assert.Contains("httpd (httpd_t) denied { name_connect } on port 5080 (unreserved_port_t)", denials.Cause);
        Assert.Contains("denied { getattr } on /opt/stuff/wwwroot/css/site.css (user_home_t)", denials.Cause);
        Assert.Contains("semanage port -a -t http_port_t -p tcp 5080", denials.Fix);
        Assert.Contains("restorecon -Rv /opt/stuff/wwwroot/css", denials.Fix);
    }

    [Fact]
    public async Task A_rule_through_a_symlink_is_replaced_by_one_on_the_real_path()
    {
        var root = Directory.CreateTempSubdirectory("stuff-selinux-");
        try
        {
            var real = Directory.CreateDirectory(Path.Combine(root.FullName, "data", "stuff"));
            var link = Path.Combine(root.FullName, "srv");
            Directory.CreateSymbolicLink(link, Path.Combine(root.FullName, "data"));
            var shell = ConfiguredFedora().Answer("semanage fcontext -l -C",
                $"SELinux fcontext    type    Context\n\n{link}/stuff(/.*)?    all files    system_u:object_r:httpd_sys_content_t:s0\n");

            var rules = (await RunAsync(shell))["selinux-rules"];

            Assert.Equal(Verdict.Failed, rules.Verdict);
            Assert.Contains($"names {link}/stuff, which is a symlink to {real.FullName}", rules.Summary);
            Assert.Equal($"sudo semanage fcontext -d '{link}/stuff(/.*)?' && sudo semanage fcontext -a -t httpd_sys_content_t '{real.FullName}(/.*)?' && sudo restorecon -Rv {real.FullName}", rules.Fix);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Nothing_is_asked_where_selinux_is_not_enforcing()
    {
        var shell = new RecordedShell();

        var findings = await RunAsync(shell, enforcing: false);

        Assert.Equal(Verdict.Skipped, Assert.Single(findings.Values).Verdict);
        Assert.Empty(shell.Ran);
    }

    [Theory]
    [InlineData("/opt/stuff/wwwroot(/.*)?", "/opt/stuff/wwwroot")]
    [InlineData("/srv/stuff/static(/.*)?", "/srv/stuff/static")]
    [InlineData("/var/www/stuff.d/files(/.*)?", "/var/www")]
    [InlineData("/opt/stuff/bin/stuff", "/opt/stuff/bin/stuff")]
    public void A_rule_pattern_starts_with_a_literal_path(string pattern, string prefix) =>
        Assert.Equal(prefix, SelinuxFacts.LiteralPrefix(pattern));
}
