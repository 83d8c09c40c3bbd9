using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Stuff.Doctor;
using Stuff.Server;

namespace Stuff.Tests.Doctor;

/// <summary>How the doctor reads systemd, Apache, certificates, disks and clocks, against recorded outputs and made-up values.</summary>
public sealed class FactsTests
{
    [Fact]
    public void A_running_service_is_fine()
    {
        Assert.Null(ServiceFacts.Judge(ServiceFacts.ParseShow(Fixtures.Read("systemctl-show.running.txt"))));
    }

    [Fact]
    public void A_crash_loop_is_named_with_its_restarts()
    {
        var verdict = ServiceFacts.Judge(ServiceFacts.ParseShow(Fixtures.Read("systemctl-show.crashloop.txt")));

        Assert.Equal("crash-looping: restarted 17 times, last exit status 6", verdict);
    }

    [Fact]
    public void A_crash_loop_caught_between_two_tries_is_named_too_and_one_restart_is_not_a_loop()
    {
        var starting = new Dictionary<string, string> { ["ActiveState"] = "activating", ["SubState"] = "start", ["NRestarts"] = "4", ["ExecMainStatus"] = "0" };
        Assert.Equal("crash-looping: restarted 4 times, starting again now", ServiceFacts.Judge(starting));

        starting["NRestarts"] = "1";
        Assert.DoesNotContain("crash-looping", ServiceFacts.Judge(starting));
    }

    [Fact]
    public void Status_203_points_at_the_executable()
    {
        var verdict = ServiceFacts.Judge(ServiceFacts.ParseShow(Fixtures.Read("systemctl-show.failed-203.txt")));

        Assert.Contains("203/EXEC", verdict);
    }

    [Fact]
    public void Failed_starts_in_a_row_are_counted_until_the_app_starts()
    {
        string[] log =
        [
            "2026-11-25T11:50:00.0000000Z supervise: stuff serve exited with code 0; restarting",
            "info: Microsoft.Hosting.Lifetime[0]",
            "      Application started. Press Ctrl+C to shut down.",
            "2026-11-25T11:59:10.0000000Z supervise: stuff serve exited with code 1; restarting",
            "stuff: error: DATABASE_URL is not a database URL",
            "2026-11-25T11:59:40.0000000Z supervise: stuff serve exited with code 1; restarting",
        ];

        Assert.Equal(2, ServiceFacts.FailedStarts(log));
        Assert.Equal(0, ServiceFacts.FailedStarts([.. log, "      Application started. Press Ctrl+C to shut down."]));
        Assert.Equal(0, ServiceFacts.FailedStarts(log[..3]));
    }

    [Theory]
    [InlineData("apache2ctl-t.fail.debian-no-headers.txt", "AH00526: Syntax error on line 14 of /etc/apache2/sites-enabled/stuff.conf: Invalid command 'RequestHeader'")]
    [InlineData("apachectl-t.fail.fedora-duplicate-listen.txt", "line 3 of /etc/httpd/conf.d/stuff.conf: Cannot define multiple Listeners")]
    public void A_failed_config_test_names_the_file_line_and_complaint(string fixture, string expected) =>
        Assert.Contains(expected, ApacheFacts.ConfigTestError(Fixtures.Read(fixture)));

    [Fact]
    public void Loaded_modules_are_read_from_httpd_M()
    {
        var modules = Apache.LoadedModules(Fixtures.Read("httpd-M.fedora.excerpt.txt"));

        Assert.Contains("proxy_http", modules);
        Assert.Contains("ssl", modules);
        Assert.DoesNotContain("alias", modules);
    }

    [Fact]
    public void A_refused_backend_is_read_from_the_error_log()
    {
        Assert.Equal(ProxyFailureKind.Refused, ApacheFacts.ProxyFailure(Fixtures.Read("apache-error.log.proxy-refused.debian.txt").Split('\n')));
        Assert.Equal(ProxyFailureKind.Denied, ApacheFacts.ProxyFailure(Fixtures.Read("apache-error_log.selinux-denied.fedora.txt").Split('\n')));
    }

    [Theory]
    [InlineData(-3, "example.org", true, "expired")]
    [InlineData(5, "example.org", true, "expires in 5 day(s)")]
    [InlineData(20, "example.org", false, "expires in 20 days")]
    [InlineData(200, "other.example", true, "is for example.org, not other.example")]
    public void Certificates_fail_when_expired_near_expiry_or_for_another_name(int daysLeft, string domain, bool fails, string summary)
    {
        using var cert = Certificate("example.org", DateTime.UtcNow.AddDays(daysLeft));

        var verdict = TlsFacts.Judge(cert, domain, DateTime.UtcNow);

        Assert.NotNull(verdict);
        Assert.Equal(fails, verdict.Value.Fail);
        Assert.Contains(summary, verdict.Value.Summary);
    }

    [Fact]
    public void A_current_certificate_for_the_domain_is_fine()
    {
        using var cert = Certificate("example.org", DateTime.UtcNow.AddDays(90));

        Assert.Null(TlsFacts.Judge(cert, "example.org", DateTime.UtcNow));
    }

    [Theory]
    [InlineData(50L << 30, 100L << 30, Verdict.Ok)]
    [InlineData(5L << 30, 100L << 30, Verdict.Warning)]
    [InlineData(500L << 20, 2L << 30, Verdict.Warning)]
    [InlineData(100L << 20, 2L << 30, Verdict.Failed)]
    [InlineData(1L << 30, 100L << 30, Verdict.Failed)]
    public void Disks_warn_when_filling_and_fail_when_nearly_full(long free, long total, Verdict verdict) =>
        Assert.Equal(verdict, DiskFacts.Judge(free, total));

    [Fact]
    public void A_mount_is_the_longest_mount_point_containing_the_path()
    {
        var mounts = DiskFacts.MountPoints("/dev/vda1 / ext4 rw 0 0\n/dev/vdb1 /var/lib ext4 rw 0 0\ntmpfs /var/library tmpfs rw 0 0\n");

        Assert.Equal("/var/lib", DiskFacts.MountOf("/var/lib/stuff", mounts));
        Assert.Equal("/", DiskFacts.MountOf("/var/log/stuff", mounts));
    }

    [Fact]
    public void A_clock_before_the_release_or_far_from_the_database_fails()
    {
        var release = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        var now = new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);

        Assert.Null(ClockFacts.Judge(now, release, now.AddSeconds(2), synchronised: true));
        Assert.True(ClockFacts.Judge(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), release, null, null)!.Value.Fail);
        Assert.True(ClockFacts.Judge(now, release, now.AddMinutes(5), null)!.Value.Fail);
        Assert.False(ClockFacts.Judge(now, release, null, synchronised: false)!.Value.Fail);
        Assert.True(ClockFacts.NewestMigration() > new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void The_clock_fix_installs_a_time_sync_service_where_there_is_none()
    {
        Assert.StartsWith("timedatectl set-ntp true", ClockFacts.Fix(systemd: true, canSync: true, Family.Debian));
        Assert.Contains("apt-get install systemd-timesyncd", ClockFacts.Fix(systemd: true, canSync: false, Family.Debian));
        Assert.Contains("dnf install chrony && systemctl enable --now chronyd", ClockFacts.Fix(systemd: true, canSync: false, Family.Fedora));
        Assert.DoesNotContain("timedatectl", ClockFacts.Fix(systemd: false, canSync: false, Family.Debian));
    }

    private static X509Certificate2 Certificate(string name, DateTime notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(notAfter.AddDays(-400), notAfter);
    }
}
