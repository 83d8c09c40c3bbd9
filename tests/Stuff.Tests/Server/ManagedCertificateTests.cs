using Stuff.Server;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Server;

/// <summary>mod_md's status and error log as recorded against pebble, read as setup and the doctor read them.</summary>
public sealed class ManagedCertificateTests
{
    private static readonly AcmeSettings Pebble = new("admin@example.org", "https://127.0.0.1:14000/dir", AcmeSettings.CaRootCopy, AcmeSettings.Http01, null);

    /// <summary>A recorded md-status answer: the fixture without its first line, which says what it records.</summary>
    private static MdStatus Status(string name) =>
        MdStatus.Parse(string.Join('\n', Fixtures.Read(name).Split('\n').Skip(1)), "localhost") ?? throw new InvalidOperationException($"{name} has no status for localhost");

    private static IEnumerable<string> Log(string name) => Fixtures.Read(name).Split('\n').Skip(1);

    [Fact]
    public void An_issued_certificate_has_its_serial_validity_and_renewal_time()
    {
        var status = Status("md-status.issued.debian.json");

        Assert.False(status.Failing);
        Assert.False(status.WaitsForReload);
        Assert.Equal("54925D1ABCD5755F", status.Certificate?.Serial);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 20, 50, 31, TimeSpan.Zero), status.Certificate?.ValidUntil);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 20, 50, 12, TimeSpan.Zero), status.RenewAt);
    }

    [Fact]
    public void A_ca_that_does_not_answer_is_named_with_a_curl_to_try()
    {
        var status = Status("md-status.ca-down.debian.json");
        var failure = ManagedCertificate.Explain(status, Log("apache-error.log.md-ca-down.debian.txt"), "localhost", Pebble);

        Assert.True(status.Failing);
        Assert.Null(status.Certificate);
        Assert.NotNull(status.LastRun);
        Assert.Contains("could not reach the certificate authority at https://127.0.0.1:14000/dir (Connection refused)", failure.Reason);
        Assert.Contains("curl -sS --cacert /var/lib/stuff-acme/ca-root.pem https://127.0.0.1:14000/dir", failure.Fix);
    }

    [Fact]
    public void A_refused_challenge_has_the_cas_own_words_from_the_error_log_and_port_80_in_the_fix()
    {
        var status = Status("md-status.validation-failed.debian.json");
        var failure = ManagedCertificate.Explain(status, Log("apache-error.log.md-validation-failed.debian.txt"), "localhost", Pebble);

        Assert.True(status.Failing);
        Assert.Contains("Get \"http://localhost:8080/.well-known/acme-challenge/", failure.Reason);
        Assert.Contains("connect: connection refused (urn:ietf:params:acme:error:connection)", failure.Reason);
        Assert.Contains("with http-01 on port 80", failure.Cause);
        Assert.Contains("open port 80/tcp to everyone", failure.Fix);
    }

    [Fact]
    public void Terms_not_accepted_are_named_and_setup_accepts_them()
    {
        var status = Status("md-status.terms.debian.json");
        // The log also has an earlier refused challenge: the status says what this attempt was.
        var log = Log("apache-error.log.md-validation-failed.debian.txt").Concat(Log("apache-error.log.md-terms.debian.txt"));
        var failure = ManagedCertificate.Explain(status, log, "localhost", Pebble);

        Assert.Contains("requires its terms of service to be accepted", failure.Reason);
        Assert.Contains("MDCertificateAgreement accepted", failure.Cause);
        Assert.Contains("run setup again with --tls acme", failure.Fix);
    }

    [Fact]
    public void A_ca_that_is_down_again_after_a_refused_challenge_is_named_as_down()
    {
        var status = Status("md-status.ca-down.debian.json");
        var log = Log("apache-error.log.md-validation-failed.debian.txt").Concat(Log("apache-error.log.md-ca-down.debian.txt"));

        Assert.Contains("could not reach the certificate authority", ManagedCertificate.Explain(status, log, "localhost", Pebble).Reason);
    }

    [Fact]
    public void Another_domains_status_is_not_this_ones() =>
        Assert.Null(MdStatus.Parse(string.Join('\n', Fixtures.Read("md-status.issued.debian.json").Split('\n').Skip(1)), "example.org"));
}
