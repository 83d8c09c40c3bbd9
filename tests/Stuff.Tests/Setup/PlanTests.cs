using Stuff.Backups;
using Stuff.Configuration;
using Stuff.Server;
using Stuff.Setup;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Setup;

/// <summary>The setup plan for a Debian host and for a Fedora host with SELinux enforcing, read without running it.</summary>
public sealed class PlanTests
{
    private sealed class NoShell : IShell
    {
        public Task<ShellResult> RunAsync(string command, IReadOnlyList<string> args, CancellationToken cancellationToken, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null) =>
            throw new InvalidOperationException($"The plan ran {command}; describing a plan must not run anything.");
    }

    private static SetupContext Context(Family family, bool selinux = false, bool systemd = true, string basePath = "/stuff", int instances = 1,
        IReadOnlyList<AppHost>? appHosts = null, bool autoUpdates = true, int memoryMegabytes = 0) =>
        new(new NoShell(), new HostFacts(family, family.ToString(), systemd, selinux, 15, memoryMegabytes),
            new SetupSettings("example.org", basePath, TlsMode.SelfSigned, null, null, "/tmp/release", instances) { AppHosts = appHosts ?? [], AutoUpdates = autoUpdates },
            // Nothing installed: not this machine's /opt/stuff, which a deploy test may have set up.
            new ReleaseStore("/nonexistent/opt/stuff"));

    private static string Plan(SetupContext context) =>
        string.Join('\n', Stuff.Setup.Plan.Steps().SelectMany(step => step.Describe(context)));

    [Theory]
    [InlineData("ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"", Family.Debian)]
    [InlineData("ID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu 24.04 LTS\"", Family.Debian)]
    [InlineData("ID=fedora\nVERSION_ID=41\nPRETTY_NAME=\"Fedora Linux 41\"", Family.Fedora)]
    [InlineData("ID=\"rhel\"\nID_LIKE=\"fedora\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.4\"", Family.Fedora)]
    [InlineData("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"", Family.Fedora)]
    public void Supported_systems_are_recognised_from_os_release(string text, Family family) =>
        Assert.Equal(family, HostFacts.ParseOsRelease(text).Family);

    [Theory]
    [InlineData("ID=alpine\nPRETTY_NAME=\"Alpine Linux v3.20\"")]
    [InlineData("ID=arch")]
    [InlineData("")]
    public void Other_systems_are_unsupported(string text) => Assert.Null(HostFacts.ParseOsRelease(text).Family);

    [Fact]
    public void Describing_the_plan_runs_nothing_and_names_every_step()
    {
        var plan = Plan(Context(Family.Debian));

        Assert.Contains("apt-get install -y apache2 postgresql openssl", plan);
        Assert.Contains("a2enmod proxy proxy_http headers ssl", plan);
        Assert.Contains("useradd --system --user-group", plan);
        Assert.Contains("/etc/apache2/sites-available/stuff.conf", plan);
    }

    [Fact]
    public void The_apache_site_redirects_to_https_serves_static_files_and_proxies_the_rest()
    {
        var site = Templates.ApacheSite(Context(Family.Debian)).Content;

        Assert.Contains("Redirect 308 / https://example.org/", site);
        Assert.Contains("SSLProtocol -all +TLSv1.2 +TLSv1.3", site);
        Assert.Contains("SSLCertificateFile /etc/ssl/certs/stuff.crt", site);
        Assert.Contains("Header always set Strict-Transport-Security \"max-age=63072000; includeSubDomains\"", site);
        Assert.Contains("RequestHeader set X-Forwarded-Proto \"https\"", site);
        Assert.Contains("Alias /stuff/static/ /var/www/stuff/static/", site);
        Assert.Contains("ProxyPass /stuff/ http://127.0.0.1:5080/stuff/ retry=0", site);
        Assert.Contains($"LimitRequestBody {Stuff.Hosting.StuffHost.MaxRequestBodyBytes}", site);
        Assert.Contains("ProxyPassReverse /stuff/ http://127.0.0.1:5080/stuff/", site);
        // The first matching ProxyPass wins, so the static exclusion must come first.
        Assert.True(site.IndexOf("ProxyPass /stuff/static/ !", StringComparison.Ordinal) < site.IndexOf("ProxyPass /stuff/ ", StringComparison.Ordinal));
        Assert.DoesNotContain("Listen ", site);
    }

    [Fact]
    public void Apache_sends_the_apps_security_headers_on_its_own_answers_once_and_compresses_no_page()
    {
        var site = Templates.ApacheSite(Context(Family.Debian)).Content;

        foreach (var (header, value) in new[]
        {
            ("Content-Security-Policy", Stuff.Hosting.SecurityHeaders.ContentSecurityPolicy), ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"), ("Referrer-Policy", Stuff.Hosting.SecurityHeaders.ReferrerPolicy),
            ("Strict-Transport-Security", Stuff.Hosting.SecurityHeaders.StrictTransportSecurity),
        })
        {
            // Replaced, not added to: the app's own header goes, Apache's always-table one stays.
            Assert.Contains($"Header onsuccess unset {header}", site);
            Assert.Contains($"Header always set {header} \"{value}\"", site);
        }
        Assert.Contains("SetEnvIf Request_URI \"^(?!/stuff/static/)\" no-gzip", site);
        Assert.Contains("RedirectMatch 302 \"^/$\" \"/stuff/\"", site);
        Assert.Contains("Alias /favicon.ico /var/www/stuff/favicon.ico", site);
        Assert.Contains("Alias /robots.txt /var/www/stuff/robots.txt", site);
        Assert.True(site.IndexOf("ProxyPass /favicon.ico !", StringComparison.Ordinal) < site.IndexOf("ProxyPass /stuff/ ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Family.Debian, "/etc/apache2/conf-available/stuff-server.conf")]
    [InlineData(Family.Fedora, "/etc/httpd/conf.d/00-stuff-server.conf")]
    public void Apache_names_no_version_refuses_trace_and_answers_unknown_names_with_a_404(Family family, string path)
    {
        var context = Context(family, selinux: family == Family.Fedora);
        var server = Templates.ApacheServer(context);
        var plan = Plan(context);

        Assert.Equal(path, server.Path);
        foreach (var line in new[] { "ServerTokens Prod", "ServerSignature Off", "TraceEnable Off", "<VirtualHost *:80>", "ServerName unknown-host.invalid", "Redirect 404 /" })
            Assert.Contains(line, server.Content);
        Assert.Contains(path, plan);
        if (family == Family.Debian)
        {
            Assert.Contains("run a2enconf stuff-server", plan);
            Assert.Contains("run a2dissite 000-default", plan);
        }
        else
        {
            Assert.DoesNotContain("a2enconf", plan);
        }
    }

    [Theory]
    [InlineData(512, 50)]
    [InlineData(1024, 100)]
    [InlineData(2048, 200)]
    [InlineData(4096, 400)]
    [InlineData(24104, 400)]
    [InlineData(300, 50)]
    [InlineData(0, 150)]
    public void Apache_gets_as_many_workers_as_the_host_has_memory_for(int megabytes, int workers)
    {
        var server = Templates.ApacheServer(Context(Family.Debian, memoryMegabytes: megabytes)).Content;

        Assert.Contains("<IfModule mpm_event_module>", server);
        Assert.Contains($"\n    MaxRequestWorkers {workers}\n", server);
        Assert.Contains("\n    ThreadsPerChild 25\n", server);
        Assert.Contains("\n    StartServers 1\n", server);
        Assert.Contains(megabytes > 0 ? $"({megabytes} MB of memory)" : "(memory that could not be read)", server);
        // No setting is left for Apache to fill in.
        Assert.DoesNotContain("{{", server);
    }

    [Fact]
    public void The_hosts_memory_is_its_ram_or_its_cgroups_limit_when_lower()
    {
        var meminfo = Fixtures.Read("proc-meminfo.debian.txt");

        Assert.Equal(24683784 / 1024, HostFacts.ParseMemoryMegabytes(meminfo, ""));
        Assert.Equal(24683784 / 1024, HostFacts.ParseMemoryMegabytes(meminfo, "max\n"));
        Assert.Equal(512, HostFacts.ParseMemoryMegabytes(meminfo, "536870912\n"));
        Assert.Equal(1024, HostFacts.ParseMemoryMegabytes("", "1073741824\n"));
        Assert.Equal(0, HostFacts.ParseMemoryMegabytes("", ""));
        Assert.Equal(0, HostFacts.ParseMemoryMegabytes("MemTotal: lots\n", "unlimited"));
    }

    [Fact]
    public void A_site_at_the_root_proxies_everything_but_static()
    {
        var site = Templates.ApacheSite(Context(Family.Debian, basePath: "")).Content;

        Assert.Contains("ProxyPass /static/ !", site);
        Assert.Contains("ProxyPass / http://127.0.0.1:5080/ retry=0", site);
        Assert.DoesNotContain("RedirectMatch", site);
    }

    [Fact]
    public void Fedora_uses_its_own_paths_packages_and_certificate_store()
    {
        var context = Context(Family.Fedora, selinux: true);

        var site = Templates.ApacheSite(context);
        Assert.Equal("/etc/httpd/conf.d/stuff.conf", site.Path);
        Assert.Contains("SSLCertificateFile /etc/pki/tls/certs/stuff.crt", site.Content);
        Assert.Equal("/var/lib/pgsql/data/pg_hba.conf", context.Layout.PgHbaFile);
        var plan = Plan(context);
        Assert.Contains("dnf install -y httpd mod_ssl mod_md mod_http2 postgresql-server openssl policycoreutils-python-utils", plan);
        Assert.Contains("postgresql-setup --initdb", plan);
        Assert.DoesNotContain("a2enmod", plan);
    }

    [Fact]
    public void Security_updates_are_unattended_upgrades_on_debian_and_security_only_dnf_automatic_on_fedora()
    {
        var debian = Plan(Context(Family.Debian));
        Assert.Contains("run apt-get install -y unattended-upgrades", debian);
        Assert.Contains("file /etc/apt/apt.conf.d/20auto-upgrades (root:root 0644):", debian);
        Assert.Contains("APT::Periodic::Unattended-Upgrade \"1\";", debian);

        var fedora = Plan(Context(Family.Fedora, selinux: true));
        Assert.Contains("run dnf install -y dnf-automatic", fedora);
        Assert.Contains("file /etc/dnf/automatic.conf (root:root 0644):", fedora);
        Assert.Contains("upgrade_type = security", fedora);
        Assert.Contains("apply_updates = yes", fedora);
        Assert.Contains("reboot = never", fedora);
        Assert.Contains("run systemctl enable --now dnf-automatic.timer", fedora);

        var off = Plan(Context(Family.Fedora, autoUpdates: false));
        Assert.Contains("(--no-auto-updates: the system's automatic updates are left as they are)", off);
        Assert.DoesNotContain("dnf-automatic", off);
    }

    [Fact]
    public void The_firewall_is_opened_for_http_and_https_only_with_firewalld_or_ufw()
    {
        var plan = Plan(Context(Family.Fedora, selinux: true));
        Assert.Contains("firewall-cmd --permanent --add-service=http --add-service=https, then firewall-cmd --reload", plan);

        var firewalld = Firewall.OpenCommands(new FirewallState("firewalld", [80, 443])).Select(c => string.Join(' ', c));
        Assert.Equal(["firewall-cmd --permanent --add-service=http", "firewall-cmd --permanent --add-service=https", "firewall-cmd --reload"], firewalld);
        Assert.Equal("sudo firewall-cmd --permanent --add-service=https && sudo firewall-cmd --reload", Firewall.OpenCommandLine(new FirewallState("firewalld", [443])));
        Assert.Equal(["ufw allow 80/tcp"], Firewall.OpenCommands(new FirewallState("ufw", [80])).Select(c => string.Join(' ', c)));
        Assert.Empty(Firewall.OpenCommands(FirewallState.None));
    }

    [Fact]
    public void The_env_file_is_readable_by_the_service_only_and_its_shown_form_has_no_password()
    {
        var context = Context(Family.Debian);

        var env = Secrets.EnvFileSpec(context);

        Assert.Equal(("/etc/stuff/stuff.env", "root", "stuff", "0640"), (env.Path, env.Owner, env.Group, env.ModeText));
        Assert.Contains("DATABASE_URL=postgres://stuff:", env.Content);
        Assert.Contains("STUFF_BASE_PATH=/stuff", env.Content);
        // Each instance gets its slot's port on its command line; an address here would override it.
        Assert.DoesNotContain("Kestrel__", env.Content);
        var password = new Uri(env.Content.Split('\n').Single(l => l.StartsWith("DATABASE_URL=", StringComparison.Ordinal))["DATABASE_URL=".Length..]).UserInfo.Split(':')[1];
        Assert.True(password.Length >= 32);
        Assert.DoesNotContain(password, string.Join('\n', env.Describe()));
        Assert.DoesNotContain(password, Plan(context));
    }

    [Fact]
    public void The_unit_runs_the_app_as_its_user_hardened_and_ready_aware()
    {
        var unit = Templates.Unit(Context(Family.Fedora)).Content;
        var lines = unit.Split('\n').Select(l => l.Trim()).ToHashSet();

        foreach (var expected in new[]
        {
            "Type=notify", "User=stuff", "ExecStart=/nonexistent/opt/stuff/slots/%i/bin/stuff serve --urls http://127.0.0.1:%i", "Environment=STUFF_ENV_FILE=/etc/stuff/stuff.env",
            "StateDirectory=stuff", "Restart=on-failure", "KillSignal=SIGTERM", "TimeoutStopSec=35s", "NoNewPrivileges=yes",
            "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
        })
            Assert.Contains(expected, lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("MemoryDenyWriteExecute=", StringComparison.Ordinal));
    }

    [Fact]
    public void Systemd_keeps_the_log_directory_at_the_mode_setup_gives_it()
    {
        var lines = Templates.Unit(Context(Family.Debian)).Content.Split('\n').Select(l => l.Trim());
        var layout = new Layout(Family.Debian, 15);
        var log = DirectoriesStep.Wanted(layout, supervised: false).Single(d => d.Path == layout.LogDirectory);

        Assert.Contains("LogsDirectory=stuff", lines);
        Assert.Contains($"LogsDirectoryMode={FileModes.Octal(log.Mode)}", lines);
    }

    [Fact]
    public void Directories_give_the_service_user_only_its_state_and_log()
    {
        var directories = DirectoriesStep.Wanted(new Layout(Family.Debian, 15), supervised: true).ToDictionary(d => d.Path);

        Assert.Equal("stuff", directories["/var/lib/stuff"].Owner);
        Assert.Equal((UnixFileMode)0b111_000_000, directories["/var/lib/stuff"].Mode);
        Assert.Equal("root", directories["/opt/stuff/releases"].Owner);
        Assert.Equal("webadmin", directories["/opt/stuff/releases"].Group);
        Assert.False(directories.ContainsKey("/opt/stuff/bin"), "bin is the link to the live release, not a directory");
        Assert.DoesNotContain(directories.Values, d => d.Mode.HasFlag(UnixFileMode.OtherWrite));
        // The supervisor's pid files live in /run/stuff; under systemd nothing does, and a reboot empties /run.
        Assert.True(directories.ContainsKey("/run/stuff"));
        Assert.DoesNotContain(DirectoriesStep.Wanted(new Layout(Family.Debian, 15), supervised: false), d => d.Path == "/run/stuff");
    }

    [Fact]
    public void Several_instances_run_on_every_second_port_behind_apaches_balancer()
    {
        var context = Context(Family.Fedora, selinux: true, systemd: false, instances: 2);
        var site = Templates.ApacheSite(context).Content;
        var plan = Plan(context);

        Assert.Contains("<Proxy \"balancer://stuff\">", site);
        Assert.Contains("BalancerMember \"http://127.0.0.1:5080\" retry=5", site);
        Assert.Contains("BalancerMember \"http://127.0.0.1:5082\" retry=5", site);
        Assert.Contains("ProxySet lbmethod=byrequests", site);
        Assert.Contains("ProxyPass /stuff/ balancer://stuff/stuff/\n", site);
        Assert.Contains("ProxyPassReverse /stuff/ balancer://stuff/stuff/", site);
        Assert.Contains("supervise --pid-file /run/stuff/stuff-5080.pid", plan);
        Assert.Contains("supervise --pid-file /run/stuff/stuff-5082.pid", plan);
        var ports = SelinuxStep.Commands(context).Where(c => c[0] == "semanage").Select(c => c[^1]).ToList();
        Assert.Equal(["5080", "5082", "5081", "5083"], ports);
        Assert.DoesNotContain("balancer://", Templates.ApacheSite(Context(Family.Fedora)).Content);
    }

    [Fact]
    public void App_hosts_elsewhere_are_balancer_members_with_their_ports_labelled_for_apache()
    {
        var context = Context(Family.Fedora, selinux: true, appHosts: [new AppHost("10.0.0.11", 5080), new AppHost("10.0.0.12", 6000)]);
        var site = Templates.ApacheSite(context).Content;

        Assert.Contains("ProxyPass /stuff/ balancer://stuff/stuff/\n", site);
        Assert.Contains("BalancerMember \"http://127.0.0.1:5080\" retry=5", site);
        Assert.Contains("BalancerMember \"http://10.0.0.11:5080\" retry=5", site);
        Assert.Contains("BalancerMember \"http://10.0.0.12:6000\" retry=5", site);
        var ports = SelinuxStep.Commands(context).Where(c => c[0] == "semanage").Select(c => c[^1]).ToList();
        Assert.Equal(["5080", "5081", "6000"], ports);
        Assert.Contains("STUFF_KEYS=database", Secrets.EnvFileSpec(context).Content);
        Assert.Contains("STUFF_KEYS_CERTIFICATE=/etc/stuff/keys.pem", Secrets.EnvFileSpec(context).Content);
        Assert.DoesNotContain("STUFF_KEYS", Secrets.EnvFileSpec(Context(Family.Fedora)).Content);
        // The certificate that encrypts the shared key ring: made once, the app's to read, and nobody else's.
        var keys = Assert.Single(Secrets.KeyRingSpecs(context));
        Assert.Equal(("/etc/stuff/keys.pem", "root", "stuff", "0640"), (keys.Path, keys.Owner, keys.Group, keys.ModeText));
        Assert.Equal(keys.Content, Assert.Single(Secrets.KeyRingSpecs(context)).Content);
        Assert.DoesNotContain("PRIVATE KEY", keys.ShownContent);
        Assert.True(KeyRingCertificate.TryParse(keys.Content, keys.Path, out var certificate, out var problem), problem);
        certificate!.Dispose();
        Assert.Empty(Secrets.KeyRingSpecs(Context(Family.Fedora)));
    }

    [Theory]
    [InlineData("10.0.0.11:5080", "http://10.0.0.11:5080")]
    [InlineData(" app.internal:80 ", "http://app.internal:80")]
    [InlineData("[fd00::1]:5080", "http://[fd00::1]:5080")]
    [InlineData("127.0.0.2:5190", "http://127.0.0.2:5190")]
    public void An_app_host_is_host_and_port(string value, string url) => Assert.Equal(url, AppHost.Parse(value)?.Url);

    [Theory]
    [InlineData("10.0.0.11")]
    [InlineData("fd00::1")]
    [InlineData("10.0.0.11:0x10")]
    [InlineData("127.0.0.1:5080")]
    [InlineData("localhost:5083")]
    [InlineData("127.0.0.2:5090")]
    public void Not_an_app_host(string value) => Assert.Null(AppHost.Parse(value));

    [Fact]
    public void Without_systemd_the_app_runs_under_the_supervisor()
    {
        var plan = Plan(Context(Family.Debian, systemd: false));

        Assert.Contains("/nonexistent/opt/stuff/slots/5080/bin/stuff supervise --pid-file /run/stuff/stuff-5080.pid --log-file /var/log/stuff/stuff-5080.log --urls http://127.0.0.1:5080", plan);
        Assert.DoesNotContain("systemctl", plan);
        Assert.Contains("apache2ctl graceful", plan);
    }

    [Fact]
    public void Selinux_enforcing_labels_the_app_port_and_relabels_canonical_paths()
    {
        var context = Context(Family.Fedora, selinux: true);

        var commands = SelinuxStep.Commands(context).Select(c => string.Join(' ', c)).ToList();

        Assert.Contains("semanage port -a -t http_port_t -p tcp 5080", commands);
        Assert.Contains("semanage port -a -t http_port_t -p tcp 5081", commands);
        Assert.Contains("setsebool -P httpd_graceful_shutdown 1", commands);
        Assert.Contains("restorecon -R /opt/stuff", commands);
        Assert.Contains("restorecon -R /var/www/stuff", commands);
        Assert.DoesNotContain(commands, c => c.Contains("setenforce", StringComparison.Ordinal) || c.Contains("chmod 777", StringComparison.Ordinal));
        Assert.DoesNotContain("SELinux is not enforcing", Plan(context));
    }

    [Theory]
    [InlineData(AcmeSettings.LetsEncrypt, "httpd_can_network_relay")]
    [InlineData("https://ca.internal:14000/dir", "httpd_can_network_connect")]
    public void With_acme_on_fedora_apache_may_reach_the_ca_and_write_its_note_and_mod_md_is_installed(string ca, string boolean)
    {
        var plain = Context(Family.Fedora, selinux: true, systemd: true);
        var context = new SetupContext(new NoShell(), plain.Facts,
            plain.Settings with { Tls = TlsMode.Acme, Acme = new AcmeSettings("admin@example.org", ca, null, AcmeSettings.Http01, null) },
            new ReleaseStore("/nonexistent/opt/stuff"));

        var commands = SelinuxStep.Commands(context).Select(c => string.Join(' ', c)).ToList();

        Assert.Contains($"setsebool -P {boolean} 1", commands);
        Assert.Contains("semanage fcontext -a -t httpd_sys_rw_content_t /var/lib/stuff-acme(/.*)?", commands);
        Assert.Contains("restorecon -R /var/lib/stuff-acme", commands);
        Assert.Contains("restorecon -R /var/lib/httpd/md", commands);
        var plan = Plan(context);
        Assert.Contains("dnf install -y httpd mod_ssl mod_md", plan);
        Assert.Contains("directory /var/lib/stuff-acme (root:apache 0770)", plan);
        Assert.Contains("file /etc/systemd/system/stuff-acme-reload.service (root:root 0644)", plan);
        Assert.Contains("| ExecStart=/bin/systemctl reload httpd.service", plan);
        Assert.DoesNotContain("SSLCertificateFile", plan);
        Assert.DoesNotContain(commands, c => c.Contains("httpd_can_network_connect", StringComparison.Ordinal) && boolean != "httpd_can_network_connect");
    }

    [Theory]
    [InlineData(Family.Debian, "sftp:backup@backup.example.org:/srv/stuff", "apt-get install -y apache2 postgresql openssl restic openssh-client")]
    [InlineData(Family.Fedora, "sftp:backup@backup.example.org:/srv/stuff", "dnf install -y httpd mod_ssl mod_md mod_http2 postgresql-server openssl policycoreutils-python-utils restic openssh-clients")]
    [InlineData(Family.Fedora, "/mnt/backup/stuff", "dnf install -y httpd mod_ssl mod_md mod_http2 postgresql-server openssl policycoreutils-python-utils restic")]
    public void An_off_site_repository_brings_restic_a_hardened_drill_and_never_shows_its_password(Family family, string url, string install)
    {
        var plain = Context(family, selinux: family == Family.Fedora, systemd: true);
        var context = new SetupContext(new NoShell(), plain.Facts, plain.Settings with { Offsite = new OffsiteRepository(url, "the-repository-password") },
            new ReleaseStore("/nonexistent/opt/stuff"));

        var plan = Plan(context);

        Assert.Contains("run " + install, plan);
        Assert.DoesNotContain("the-repository-password", plan);
        Assert.Contains($"| STUFF_BACKUP_REPOSITORY='{url}'", plan);
        Assert.Contains("| STUFF_BACKUP_PASSWORD='<given or generated, kept after>'", plan);
        Assert.Contains($"as stuff: restic init   (when there is no repository there yet)", plan);
        Assert.Contains("file /etc/systemd/system/stuff-backup-verify.timer (root:root 0644)", plan);
        Assert.Contains("| ExecStart=/opt/stuff/bin/stuff backup --verify", plan);
        Assert.Contains("systemctl enable --now stuff-backup.timer stuff-backup-verify.timer", plan);
        Assert.Contains("CREATE DATABASE stuff_drill OWNER stuff", plan);
        var readWrite = url.StartsWith('/') ? $"| ReadWritePaths=/var/backups/stuff /var/lib/stuff -{url}" : "| ReadWritePaths=/var/backups/stuff /var/lib/stuff\n";
        Assert.Contains(readWrite, plan + "\n");
        Assert.Equal(url.StartsWith("sftp:", StringComparison.Ordinal), plan.Contains("ssh-keygen -t ed25519", StringComparison.Ordinal));
        Assert.Equal(url.StartsWith("sftp:", StringComparison.Ordinal), plan.Contains("StrictHostKeyChecking accept-new", StringComparison.Ordinal));
    }

    [Fact]
    public void The_storages_credentials_go_into_the_env_file_and_the_plan_shows_neither_them_nor_a_password_in_the_url()
    {
        var plain = Context(Family.Debian);
        var offsite = new OffsiteRepository("rest:https://backup:url-secret@backup.example.org/stuff", "p")
        {
            Credentials = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "key-id-secret", ["AWS_SECRET_ACCESS_KEY"] = "access-secret" },
        };
        var context = new SetupContext(new NoShell(), plain.Facts, plain.Settings with { Offsite = offsite }, new ReleaseStore("/nonexistent/opt/stuff"));

        var plan = Plan(context);
        var env = Secrets.EnvFileSpec(context).Content;

        Assert.Contains("| STUFF_BACKUP_REPOSITORY='rest:https://backup:***@backup.example.org/stuff'", plan);
        Assert.Contains("| AWS_SECRET_ACCESS_KEY=<kept>", plan);
        foreach (var secret in new[] { "url-secret", "key-id-secret", "access-secret" }) Assert.DoesNotContain(secret, plan);
        Assert.Contains("AWS_SECRET_ACCESS_KEY='access-secret'", env);
        Assert.Contains("STUFF_BACKUP_REPOSITORY='rest:https://backup:url-secret@backup.example.org/stuff'", env);
    }

    [Fact]
    public void Without_an_off_site_repository_the_plan_says_how_to_add_one() =>
        Assert.Contains("(no off-site repository: --backup-repository URL sends every backup to one)", Plan(Context(Family.Debian)));

    [Fact]
    public void Selinux_steps_are_skipped_where_it_is_not_enforcing() =>
        Assert.Contains("(SELinux is not enforcing here: nothing to do)", Plan(Context(Family.Fedora, selinux: false)));

    [Fact]
    public void Paths_given_to_selinux_tools_have_their_symlinks_resolved()
    {
        var root = Directory.CreateTempSubdirectory("stuff-canonical-").FullName;
        try
        {
            var real = Directory.CreateDirectory(Path.Combine(root, "real", "app")).FullName;
            Directory.CreateSymbolicLink(Path.Combine(root, "link"), Path.Combine(root, "real"));

            Assert.Equal(real, RealPath.Of(Path.Combine(root, "link", "app")));
            Assert.Equal(Path.Combine(real, "missing"), RealPath.Of(Path.Combine(root, "link", "app", "missing")));

            // The release layout: bin -> current/bin, current -> slots/5080, slots/5080 -> ../releases/r.
            var store = new ReleaseStore(Path.Combine(root, "opt"));
            var release = Path.Combine(store.ReleasesDirectory, "0.1.0-20261201T090000Z");
            Directory.CreateDirectory(ReleaseStore.BinOf(release));
            File.WriteAllText(ReleaseStore.ExecutableOf(release), "");
            store.Point(5080, release);
            store.MakeLive(5080);
            Assert.Equal(ReleaseStore.ExecutableOf(release), RealPath.Of(Path.Combine(store.Bin, "stuff")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Pg_hba_gets_the_app_lines_above_the_first_rule_once()
    {
        foreach (var fixture in new[] { "pg_hba.debian-default.txt", "pg_hba.fedora-default.txt" })
        {
            var original = Fixtures.Read(fixture);

            var once = PgHba.Apply(original);
            var twice = PgHba.Apply(once);

            Assert.Equal(once, twice);
            var rules = once.Split('\n').Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')).ToList();
            Assert.StartsWith("host    stuff    stuff    127.0.0.1/32    scram-sha-256", rules[0]);
            Assert.StartsWith("host    stuff    stuff    ::1/128", rules[1]);
            Assert.StartsWith("host    stuff_drill    stuff    127.0.0.1/32    scram-sha-256", rules[2]);
            Assert.Equal(original.Split('\n').Length + 5, once.Split('\n').Length);
        }
    }

    [Theory]
    [InlineData("getenforce.enforcing.txt", true)]
    [InlineData("getenforce.permissive.txt", false)]
    public void Getenforce_output_is_read_by_its_word(string fixture, bool enforcing) =>
        Assert.Equal(enforcing, HostFacts.IsEnforcing(Fixtures.Read(fixture)));

    [Fact]
    public void Port_labels_are_read_from_semanage()
    {
        Assert.True(SelinuxFacts.PortIsHttp(Fixtures.Read("semanage-port-l.grep-http_port_t.after-add.txt"), 5080));
        Assert.False(SelinuxFacts.PortIsHttp(Fixtures.Read("semanage-port-l.grep-http_port_t.default.txt"), 5080));
        Assert.True(SelinuxFacts.PortIsHttp(Fixtures.Read("semanage-port-l.grep-http_port_t.default.txt"), 8443));
        Assert.False(SelinuxFacts.PortIsHttp(Fixtures.Read("semanage-port-l.grep-http_port_t.default.txt"), 5988));
    }

    [Fact]
    public void Booleans_are_read_from_getsebool()
    {
        var all = Fixtures.Read("getsebool-a.grep-httpd.txt");

        Assert.False(SelinuxFacts.BooleanIsOn(all, "httpd_graceful_shutdown"));
        Assert.True(SelinuxFacts.BooleanIsOn(all, "httpd_enable_cgi"));
        Assert.True(SelinuxFacts.BooleanIsOn(Fixtures.Read("getsebool.httpd_can_network_connect.on.txt"), "httpd_can_network_connect"));
    }
}
