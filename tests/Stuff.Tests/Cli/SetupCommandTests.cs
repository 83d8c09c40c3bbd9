using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Cli;

/// <summary>`stuff setup` arguments; --dry-run shows the plan without changing anything.</summary>
public sealed class SetupCommandTests
{
    private static readonly StuffCli Stuff = new(Path.GetTempPath(), null);

    private static Task<CliResult> DryRunAsync(params string[] args) =>
        Stuff.RunAsync(["setup", "--domain", "example.org", "--tls", "self-signed", .. args, "--dry-run"]);

    [Fact]
    public async Task App_hosts_join_the_balancer_after_this_hosts_instances_and_share_the_key_ring()
    {
        var result = await DryRunAsync("--instances", "1", "--app-host", "10.0.0.11:5080", "--app-host", "[fd00::12]:5090", "--app-host", "app3.internal:8080");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ProxyPass /stuff/ balancer://stuff/stuff/", result.Output);
        Assert.Matches(@"BalancerMember ""http://127\.0\.0\.1:508[01]"" retry=5", result.Output);
        Assert.Contains("BalancerMember \"http://10.0.0.11:5080\" retry=5", result.Output);
        Assert.Contains("BalancerMember \"http://[fd00::12]:5090\" retry=5", result.Output);
        Assert.Contains("BalancerMember \"http://app3.internal:8080\" retry=5", result.Output);
        Assert.Contains("STUFF_KEYS=database", result.Output);
    }

    [Fact]
    public async Task None_means_no_other_hosts()
    {
        var result = await DryRunAsync("--instances", "1", "--app-host", "none");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("balancer://", result.Output);
        Assert.DoesNotContain("STUFF_KEYS", result.Output);
    }

    [Theory]
    [InlineData(new string[0], "wait up to 60 s for http://127.0.0.1:")]
    [InlineData(new[] { "--ready-timeout", "15" }, "wait up to 15 s for http://127.0.0.1:")]
    public async Task A_new_release_has_the_readiness_bound_asked_for(string[] args, string expected)
    {
        var result = await DryRunAsync(args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(expected, result.Output);
    }

    [Theory]
    [InlineData("4")]
    [InlineData("601")]
    public async Task A_readiness_bound_out_of_range_is_refused_before_anything_happens(string seconds)
    {
        var result = await DryRunAsync("--ready-timeout", seconds);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--ready-timeout must be from 5 to 600 seconds", result.Error);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("10.0.0.11")]
    [InlineData("10.0.0.11:")]
    [InlineData("10.0.0.11:99999")]
    [InlineData("http://10.0.0.11:5080")]
    [InlineData("10.0.0.11:5080/stuff")]
    [InlineData("user@10.0.0.11:5080")]
    [InlineData("not a host:5080")]
    [InlineData("127.0.0.1:5082")]
    public async Task A_value_that_is_not_another_hosts_address_is_refused_before_anything_happens(string value)
    {
        var result = await DryRunAsync("--app-host", value);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--app-host must be HOST:PORT", result.Error);
        Assert.DoesNotContain("   at ", result.Error + result.Output);
        Assert.DoesNotContain("The plan", result.Output);
    }

    [Theory]
    [InlineData("ftp:backup@example.org/stuff", "--backup-repository: restic does not understand the repository 'ftp:backup@example.org/stuff'")]
    [InlineData("backups/stuff", "--backup-repository: restic does not understand the repository 'backups/stuff'")]
    [InlineData("/var/backups/stuff/offsite", "is on this server's backup directory")]
    [InlineData("rest:https://backup:s3cret@backup.example.org/ stuff", "--backup-repository: 'rest:https://backup:***@backup.example.org/ stuff' is not a repository URL")]
    [InlineData("local:backups", "--backup-repository: the repository 'local:backups' must be an absolute path")]
    [InlineData("/nonexistent-disk/stuff", "--backup-repository /nonexistent-disk/stuff: /nonexistent-disk does not exist; mount the disk the repository goes on first.")]
    public async Task A_repository_restic_cannot_use_is_refused_before_anything_happens(string value, string expected)
    {
        var result = await DryRunAsync("--backup-repository", value);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("s3cret", result.Error + result.Output);
        Assert.DoesNotContain("The plan", result.Output);
    }

    [Fact]
    public async Task A_password_file_that_is_not_there_or_without_a_repository_is_refused()
    {
        var missing = await DryRunAsync("--backup-repository", "sftp:backup@backup.example.org:/srv/stuff", "--backup-password-file", "/nonexistent/password");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("--backup-password-file: /nonexistent/password does not exist.", missing.Error);

        var alone = await DryRunAsync("--backup-password-file", "/nonexistent/password");
        Assert.Equal(1, alone.ExitCode);
        Assert.Contains("--backup-password-file goes with an off-site repository", alone.Error);
    }

    private static Task<CliResult> AcmeDryRunAsync(params string[] args) =>
        Stuff.RunAsync(["setup", "--domain", "example.org", "--tls", "acme", .. args, "--dry-run"]);

    [Fact]
    public async Task Acme_asks_lets_encrypt_by_default_over_http_01_and_says_it_accepts_the_terms()
    {
        var result = await AcmeDryRunAsync("--email", "admin@example.org");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("| MDCertificateAuthority https://acme-v02.api.letsencrypt.org/directory", result.Output);
        Assert.Contains("| MDContactEmail admin@example.org", result.Output);
        Assert.Contains("| MDCertificateAgreement accepted", result.Output);
        Assert.Contains("| MDCAChallenges http-01", result.Output);
        Assert.Contains("| MDomain example.org", result.Output);
        Assert.Contains("terms of service were accepted by asking for", result.Output);
        Assert.DoesNotContain("MDCheckInterval", result.Output);
        Assert.DoesNotContain("MDCACertificateFile", result.Output);
        // No certificate file: mod_md supplies it, and status is for this machine only.
        Assert.DoesNotContain("SSLCertificateFile", result.Output);
        Assert.Contains("SetHandler md-status", result.Output);
        Assert.Contains("Require local", result.Output);
        Assert.Contains("a2enmod proxy proxy_http headers ssl alias proxy_balancer lbmethod_byrequests slotmem_shm setenvif rewrite http2 md", result.Output);
        // mod_md's message after a renewal, for the root-owned reload (a path unit, or cron without systemd).
        Assert.Contains("file /opt/stuff/acme-message (root:root 0755)", result.Output);
        Assert.Matches("stuff-acme-reload\\.(path|cron)", result.Output);
        Assert.Contains("wait up to 3 minutes until mod_md has the certificate for example.org", result.Output);
    }

    [Fact]
    public async Task Another_ca_its_root_the_tls_alpn_challenge_and_a_check_interval_go_into_apaches_site()
    {
        var root = Path.Combine(Path.GetTempPath(), $"acme-root-{Guid.NewGuid():N}.pem");
        using (var key = System.Security.Cryptography.ECDsa.Create())
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Test ACME root", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(root, certificate.ExportCertificatePem());
        }
        try
        {
            var result = await AcmeDryRunAsync("--email", "admin@example.org", "--acme-ca", "https://ca.internal:14000/dir", "--acme-ca-root", root,
                "--acme-challenge", "tls-alpn-01", "--acme-check-interval", "5");

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("| MDCertificateAuthority https://ca.internal:14000/dir", result.Output);
            Assert.Contains("| MDCACertificateFile /var/lib/stuff-acme/ca-root.pem", result.Output);
            Assert.Contains("| MDCAChallenges tls-alpn-01", result.Output);
            Assert.Contains("| MDCheckInterval 5s", result.Output);
            Assert.Contains("|     Protocols h2 http/1.1 acme-tls/1", result.Output);
            Assert.Contains("file /var/lib/stuff-acme/ca-root.pem (root:root 0644)", result.Output);
        }
        finally
        {
            File.Delete(root);
        }
    }

    [Theory]
    [InlineData(new string[0], "--tls acme needs --email ADDRESS")]
    [InlineData(new[] { "--email", "admin" }, "--email must be an address such as admin@example.org, not 'admin'")]
    [InlineData(new[] { "--email", "a@b@example.org" }, "--email must be an address")]
    [InlineData(new[] { "--email", "admin@example.org", "--acme-ca", "http://ca.internal/dir" }, "--acme-ca must be the https URL of an ACME directory")]
    [InlineData(new[] { "--email", "admin@example.org", "--acme-ca", "not a url" }, "--acme-ca must be the https URL of an ACME directory")]
    [InlineData(new[] { "--email", "admin@example.org", "--acme-ca-root", "/nonexistent/root.pem" }, "/nonexistent/root.pem does not exist")]
    public async Task Acme_settings_that_cannot_work_are_refused_before_anything_happens(string[] args, string expected)
    {
        var result = await AcmeDryRunAsync(args);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("   at ", result.Error + result.Output);
        Assert.DoesNotContain("The plan", result.Output);
    }

    [Theory]
    [InlineData("--acme-challenge", "dns-01", "'http-01'")]
    [InlineData("--acme-check-interval", "0", "--acme-check-interval must be from 1 to 86400 seconds")]
    public async Task Acme_values_outside_their_choices_are_refused(string option, string value, string expected)
    {
        var result = await AcmeDryRunAsync("--email", "admin@example.org", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Acme_options_without_tls_acme_are_refused()
    {
        var result = await DryRunAsync("--email", "admin@example.org");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--email and the --acme-* options go with --tls acme", result.Error);
    }

    [Fact]
    public async Task A_root_that_is_not_a_certificate_is_refused()
    {
        var root = Path.Combine(Path.GetTempPath(), $"acme-root-{Guid.NewGuid():N}.pem");
        File.WriteAllText(root, "not a certificate\n");
        try
        {
            var result = await AcmeDryRunAsync("--email", "admin@example.org", "--acme-ca-root", root);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"--acme-ca-root: {root} is not a PEM certificate", result.Error);
        }
        finally
        {
            File.Delete(root);
        }
    }
}
