using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Stuff.Configuration;
using Stuff.Deploy.Machines;
using Stuff.Server;

namespace Stuff.Deploy;

/// <summary>
/// The doctor's fault matrix on a set-up systemd server (its real Apache, PostgreSQL and units):
/// each case breaks one thing on a healthy deploy, asserts that the doctor fails that check with
/// the right cause and fix, repairs it (with the doctor's own fix where it is one command), and
/// asserts all is ok again. One machine for the whole matrix.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class DoctorFaultMatrixTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private const string EnvFile = "/etc/stuff/stuff.env";
    private const string SiteFile = "/etc/apache2/sites-available/stuff.conf";
    private const string Certificate = "/etc/ssl/certs/stuff.crt";
    private const string Key = "/etc/ssl/private/stuff.key";
    private ServerMachine Machine => server.Machine;
    private Deployment Site => new(server.Machine);

    public static TheoryData<string> Faults =>
    [
        "env file missing", "env file readable by others", "env file unreadable by the service user",
        "database url missing", "base path malformed", "domain malformed",
        "postgres stopped", "wrong database password", "role missing", "database missing", "pg_hba rejects", "migrations pending",
        "key directory missing", "key directory not writable", "key ring certificate unreadable",
        "static files not collected",
        "service stopped", "service crash-looping", "app hung",
        "apache config broken", "proxy_http disabled", "site disabled", "proxy target wrong", "base path differs", "no https redirect",
        "certificate missing", "certificate expired", "certificate expiring", "certificate for another name", "key does not match",
        "static directory writable by others",
    ];

    [MachineTheory]
    [MemberData(nameof(Faults))]
    public async Task The_doctor_names_the_fault_with_its_cause_and_fix(string fault)
    {
        await HealthyAsync();

        var (check, expected, repair) = await BreakAsync(fault);
        Diagnosis finding;
        try
        {
            var (exit, findings) = await Site.DoctorAsync();
            Assert.True(exit == 1, $"the doctor exited {exit} with '{fault}':\n{string.Join("\n", findings.Values)}");
            finding = findings[check];
            Assert.True(finding.Verdict == "failed", $"'{check}' did not fail with '{fault}':\n{finding}");
            var text = $"{finding.Summary}\n{finding.Cause}\n{finding.Fix}\n{string.Join("\n", finding.Details)}";
            foreach (var words in expected) Assert.True(text.Contains(words, StringComparison.Ordinal), $"'{words}' is not in:\n{finding}");
        }
        catch
        {
            await repair(null);
            throw;
        }
        await repair(finding);

        await Site.AllOkAsync($"after repairing '{fault}'");
    }

    private async Task<(string Check, string[] Expected, Func<Diagnosis?, Task> Repair)> BreakAsync(string fault)
    {
        var envFile = Machine.At(EnvFile);
        var siteFile = Machine.At(SiteFile);
        var env = await File.ReadAllTextAsync(envFile);
        Func<Diagnosis?, Task> restoreEnv = _ => File.WriteAllTextAsync(envFile, env);
        // The doctor's own fix repairs it; when the case failed before there was one, setup does.
        Func<Diagnosis?, Task> runFix = finding => finding is null ? Site.SetupAgainAsync() : RunFixAsync(finding);
        var siteText = await File.ReadAllTextAsync(siteFile);
        var port = Site.LivePort;
        var unit = Deployment.Unit(port);

        switch (fault)
        {
            case "env file missing":
                File.Move(envFile, envFile + ".away");
                return ("env-file", [$"{EnvFile} does not exist", "setup --domain"], _ => { File.Move(envFile + ".away", envFile); return Task.CompletedTask; });
            case "env file readable by others":
                File.SetUnixFileMode(envFile, (UnixFileMode)0b110_100_100);
                return ("env-file", ["open to every user", "mode 0644", "chmod 0640"], runFix);
            case "env file unreadable by the service user":
                await Machine.ShAsync($"chown root:root {EnvFile} && chmod 0600 {EnvFile}");
                return ("env-file", ["the service user stuff cannot read", "chown root:stuff"], runFix);

            case "database url missing":
                await File.WriteAllTextAsync(envFile, Without(env, "DATABASE_URL="));
                return ("settings", ["DATABASE_URL is missing", "DATABASE_URL=postgres://stuff:PASSWORD@127.0.0.1:5432/stuff"], restoreEnv);
            case "base path malformed":
                await File.WriteAllTextAsync(envFile, Replace(env, "STUFF_BASE_PATH=", "STUFF_BASE_PATH=/a/../b"));
                return ("settings", ["STUFF_BASE_PATH must be", "STUFF_BASE_PATH=/stuff"], restoreEnv);
            case "domain malformed":
                await File.WriteAllTextAsync(envFile, Replace(env, "STUFF_DOMAIN=", "STUFF_DOMAIN=https://localhost/"));
                return ("settings", ["STUFF_DOMAIN must be a host name", "STUFF_DOMAIN=localhost"], restoreEnv);

            case "postgres stopped":
                await Machine.ShAsync("systemctl stop postgresql");
                return ("database", ["not-running", "the PostgreSQL server is not running", "systemctl enable --now postgresql"], runFix);
            case "wrong database password":
                await Machine.ShAsync("echo \"ALTER ROLE stuff PASSWORD 'not the password in the env file'\" | runuser -u postgres -- psql -X -q");
                // The doctor's second way out: setup sets the role's password from the env file again.
                return ("database", ["password-failed", "is not the password of the role stuff", "\\password stuff", "run setup again"], _ => Site.SetupAgainAsync());
            case "role missing":
                await File.WriteAllTextAsync(envFile, env.Replace("postgres://stuff:", "postgres://nosuchrole:", StringComparison.Ordinal));
                return ("database", ["role-missing", "no role named nosuchrole", "createuser --login --pwprompt nosuchrole"], restoreEnv);
            case "database missing":
                await File.WriteAllTextAsync(envFile, env.Replace("/stuff\n", "/stuff_nosuchdb\n", StringComparison.Ordinal));
                return ("database", ["database-missing", "no database named stuff_nosuchdb", "createdb --owner stuff stuff_nosuchdb"], restoreEnv);
            case "pg_hba rejects":
                {
                    var hba = Machine.At((await Machine.ShAsync("ls /etc/postgresql/*/main/pg_hba.conf | sort -V | tail -n 1")).Trim());
                    var original = await File.ReadAllTextAsync(hba);
                    await File.WriteAllTextAsync(hba, "host stuff stuff 127.0.0.1/32 reject\n" + original);
                    await Machine.ShAsync("runuser -u postgres -- psql -XtAc 'SELECT pg_reload_conf()'");
                    return ("database", ["access-rejected", "pg_hba.conf", "host    stuff    stuff    127.0.0.1/32    scram-sha-256", "pg_reload_conf"], async _ =>
                    {
                        await File.WriteAllTextAsync(hba, original);
                        await Machine.ShAsync("runuser -u postgres -- psql -XtAc 'SELECT pg_reload_conf()'");
                    }
                    );
                }
            case "migrations pending":
                await Machine.ShAsync("runuser -u postgres -- dropdb --if-exists stuff_fresh && runuser -u postgres -- createdb --owner stuff stuff_fresh");
                await File.WriteAllTextAsync(envFile, env.Replace("/stuff\n", "/stuff_fresh\n", StringComparison.Ordinal));
                return ("migrations", ["not applied", "migrate"], async finding =>
                {
                    if (finding is not null)
                    {
                        // The fix, as printed, applies them.
                        await RunFixAsync(finding);
                        var (_, after) = await Site.DoctorAsync();
                        Assert.True(after["migrations"].Verdict == "ok", after["migrations"].ToString());
                    }
                    await File.WriteAllTextAsync(envFile, env);
                    await Machine.ShAsync("runuser -u postgres -- dropdb --force stuff_fresh");
                }
                );

            case "key directory missing":
                // Inside the machine: a rename of a directory of the image's layer is not one on the host's view of the overlay.
                await Machine.MustAsync("mv", "/var/lib/stuff/keys", "/var/lib/stuff/keys.away");
                return ("keys", ["/var/lib/stuff/keys does not exist", "logs everyone out", "install -d -o stuff -g stuff -m 0700"],
                    _ => Machine.MustAsync("mv", "/var/lib/stuff/keys.away", "/var/lib/stuff/keys")
                );
            case "key directory not writable":
                await Machine.ShAsync("chown -R root:root /var/lib/stuff/keys");
                return ("keys", ["stuff cannot write /var/lib/stuff/keys", "chown -R stuff:stuff /var/lib/stuff/keys"], runFix);

            case "key ring certificate unreadable":
                {
                    // The key ring in the database, encrypted with a certificate only root can read: the app would not start.
                    var certificate = Machine.At(Layout.KeysCertificateFile);
                    await File.WriteAllTextAsync(certificate, KeyRingCertificate.Create());
                    await Machine.ShAsync($"chown root:root {Layout.KeysCertificateFile} && chmod 0600 {Layout.KeysCertificateFile}");
                    await File.WriteAllTextAsync(envFile, env + $"STUFF_KEYS=database\n{KeyRingCertificate.Setting}={Layout.KeysCertificateFile}\n");
                    return ("keys", [$"stuff cannot read {Layout.KeysCertificateFile}", $"chown root:stuff {Layout.KeysCertificateFile} && sudo chmod 0640"], async _ =>
                    {
                        await File.WriteAllTextAsync(envFile, env);
                        File.Delete(certificate);
                    }
                    );
                }

            case "static files not collected":
                File.Delete(Machine.At("/var/www/stuff/static/css/site.css"));
                return ("static-files", ["missing or out of date", "collectstatic --output /var/www/stuff"], runFix);

            case "service stopped":
                await Machine.MustAsync("systemctl", "stop", unit);
                return ("service", ["inactive (dead)", $"systemctl start {unit}"], async finding =>
                {
                    if (finding is not null)
                    {
                        var (_, all) = await Site.DoctorAsync();
                        Assert.Contains($"nothing listens on 127.0.0.1:{port}", all["app"].Summary);
                        Assert.Contains("answers 503", all["https"].Summary);
                        Assert.Contains($"not answering on 127.0.0.1:{port}", all["https"].Cause);
                        await RunFixAsync(finding);
                    }
                    else
                    {
                        await Site.SetupAgainAsync();
                    }
                }
                );
            case "service crash-looping":
                {
                    // Settings the app refuses at start: it exits, systemd starts it again, and again.
                    await File.WriteAllTextAsync(envFile, Replace(env, "DATABASE_URL=", "DATABASE_URL=mysql://stuff@127.0.0.1/stuff"));
                    await Machine.MustAsync("systemctl", "restart", "--no-block", unit);
                    await Eventually.HoldsAsync(async () => int.Parse((await Machine.MustAsync("systemctl", "show", unit, "-p", "NRestarts", "--value")).Trim()) >= 2,
                        TimeSpan.FromSeconds(30), "two restarts by systemd");
                    return ("service", ["crash-looping", "DATABASE_URL is not a database URL", $"journalctl -u {unit}"], async finding =>
                    {
                        await File.WriteAllTextAsync(envFile, env);
                        if (finding is not null) await RunFixAsync(finding);
                        else await Site.SetupAgainAsync();
                    }
                    );
                }
            case "app hung":
                {
                    var pid = (await Machine.MustAsync("systemctl", "show", unit, "-p", "MainPID", "--value")).Trim();
                    await Machine.MustAsync("kill", "-STOP", pid);
                    return ("app", ["did not answer within 5 s", "hung"], _ => Machine.MustAsync("kill", "-CONT", pid));
                }

            case "apache config broken":
                await File.WriteAllTextAsync(Machine.At("/etc/apache2/conf-enabled/zz-stuff-doctor-test.conf"), "NotADirectiveAtAll on\n");
                return ("apache-config", ["apache2ctl -t fails", "Invalid command 'NotADirectiveAtAll'", "zz-stuff-doctor-test.conf"],
                    _ => { File.Delete(Machine.At("/etc/apache2/conf-enabled/zz-stuff-doctor-test.conf")); return Task.CompletedTask; }
                );
            case "proxy_http disabled":
                await Machine.ShAsync("a2dismod -q -f proxy_http && systemctl reload apache2 && sleep 1");
                return ("apache-modules", ["not enabled: proxy_http", "a2enmod proxy_http"], async finding =>
                {
                    if (finding is null)
                    {
                        await Machine.ShAsync("a2enmod -q proxy_http && systemctl reload apache2 && sleep 1");
                        return;
                    }
                    var (_, all) = await Site.DoctorAsync();
                    Assert.Contains("mod_proxy_http is not enabled", all["https"].Cause);
                    await RunFixAsync(finding);
                    await Task.Delay(1000);
                }
                );
            case "site disabled":
                await Machine.ShAsync("a2dissite -q stuff && systemctl reload apache2 && sleep 1");
                return ("apache-site", ["exists but is not enabled", "a2ensite stuff"], async finding =>
                {
                    await runFix(finding);
                    await Task.Delay(1000);
                }
                );
            case "proxy target wrong":
                await File.WriteAllTextAsync(siteFile, siteText.Replace($"http://127.0.0.1:{port}/stuff/", "http://127.0.0.1:5099/stuff/", StringComparison.Ordinal));
                return ("apache-proxy", ["Apache sends /stuff/ to http://127.0.0.1:5099/stuff/", $"the app listens at http://127.0.0.1:{port}/stuff/"], _ => File.WriteAllTextAsync(siteFile, siteText));
            case "base path differs":
                await File.WriteAllTextAsync(envFile, Replace(env, "STUFF_BASE_PATH=", "STUFF_BASE_PATH=/things"));
                return ("base-path", ["Apache serves the site under /stuff/ but STUFF_BASE_PATH is /things", "STUFF_BASE_PATH=/stuff"], restoreEnv);
            case "no https redirect":
                await File.WriteAllTextAsync(siteFile, siteText.Replace("    Redirect 308 / https://localhost/", "    # no redirect", StringComparison.Ordinal));
                await Machine.ShAsync("systemctl reload apache2 && sleep 1");
                return ("https-redirect", ["not a redirect to HTTPS", "Redirect 308 / https://localhost/"], async _ =>
                {
                    await File.WriteAllTextAsync(siteFile, siteText);
                    await Machine.ShAsync("systemctl reload apache2 && sleep 1");
                }
                );

            case "certificate missing":
                File.Move(Machine.At(Certificate), Machine.At(Certificate + ".away"));
                return ("tls", [$"{Certificate} does not exist"], _ => { File.Move(Machine.At(Certificate + ".away"), Machine.At(Certificate)); return Task.CompletedTask; });
            case "certificate expired":
                return ("tls", ["expired on", "browsers refuse"], await ReplaceCertificateAsync("localhost", DateTime.UtcNow.AddDays(-2)));
            case "certificate expiring":
                return ("tls", ["expires in 5 day(s)", "renew"], await ReplaceCertificateAsync("localhost", DateTime.UtcNow.AddDays(5).AddHours(12)));
            case "certificate for another name":
                return ("tls", ["is for other.example, not localhost"], await ReplaceCertificateAsync("other.example", DateTime.UtcNow.AddDays(300)));
            case "key does not match":
                {
                    var key = await File.ReadAllBytesAsync(Machine.At(Key));
                    using var other = RSA.Create(2048);
                    await File.WriteAllTextAsync(Machine.At(Key), other.ExportPkcs8PrivateKeyPem());
                    return ("tls", [$"{Key} is not the private key of {Certificate}", "sha256sum"], _ => File.WriteAllBytesAsync(Machine.At(Key), key));
                }

            case "static directory writable by others":
                await Machine.ShAsync("chmod o+w /var/www/stuff/static/css");
                return ("permissions", ["/var/www/stuff/static/css", "writable by every user", "chmod -R o-w /var/www/stuff", "never chmod 777"], runFix);
        }
        throw new ArgumentException($"no such fault: {fault}", nameof(fault));
    }

    /// <summary>Puts a made-up certificate and key in place; the repair puts the real ones back.</summary>
    private async Task<Func<Diagnosis?, Task>> ReplaceCertificateAsync(string name, DateTime notAfter)
    {
        var certificate = await File.ReadAllBytesAsync(Machine.At(Certificate));
        var key = await File.ReadAllBytesAsync(Machine.At(Key));
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        using var made = request.CreateSelfSigned(notAfter.AddDays(-400), notAfter);
        await File.WriteAllTextAsync(Machine.At(Certificate), made.ExportCertificatePem());
        await File.WriteAllTextAsync(Machine.At(Key), rsa.ExportPkcs8PrivateKeyPem());
        return async _ =>
        {
            await File.WriteAllBytesAsync(Machine.At(Certificate), certificate);
            await File.WriteAllBytesAsync(Machine.At(Key), key);
        };
    }

    /// <summary>
    /// Runs the first line of the doctor's fix as a person would paste it into the server's root
    /// shell; where it first says what to read and fix, the command after "then: ".
    /// </summary>
    private Task RunFixAsync(Diagnosis? finding)
    {
        Assert.NotNull(finding?.Fix);
        var line = finding.Fix.Split('\n')[0];
        return Site.RunFixAsync(line.Split(", then: ") is [_, var then] ? then : line);
    }

    /// <summary>Each case starts from a healthy deploy; if an earlier case left it broken, setup repairs it.</summary>
    private async Task HealthyAsync()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        var (exit, _) = await Site.DoctorAsync();
        if (exit == 0) return;
        await Site.SetupAgainAsync();
        await Site.AllOkAsync("before the case");
    }

    private static string Without(string env, string prefix) =>
        string.Join('\n', env.Split('\n').Where(l => !l.StartsWith(prefix, StringComparison.Ordinal)));

    private static string Replace(string env, string prefix, string line) =>
        string.Join('\n', env.Split('\n').Select(l => l.StartsWith(prefix, StringComparison.Ordinal) ? line : l));
}
