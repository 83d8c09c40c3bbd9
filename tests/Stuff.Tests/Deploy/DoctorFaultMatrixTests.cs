using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Stuff.Doctor;
using Stuff.Server;
using static Stuff.Tests.Deploy.Machine;

namespace Stuff.Tests.Deploy;

/// <summary>One line of `stuff doctor --json`.</summary>
public sealed record Diagnosis(string Id, string Verdict, string Summary, string? Cause, string? Fix, IReadOnlyList<string> Details)
{
    public override string ToString() => $"{Verdict} {Id}: {Summary}\n  cause: {Cause}\n  fix: {Fix}";
}

/// <summary>The site deployed on this machine by `stuff setup` from the published release.</summary>
public sealed class DeployedSite : IAsyncLifetime
{
    public const string Installed = "/opt/stuff/bin/stuff";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("STUFF_TEST_RELEASE") is not { Length: > 0 } release) return;
        var setup = await RunAsync(Path.Combine(release, "stuff"), "setup", "--domain", "localhost", "--tls", "self-signed");
        Assert.True(setup.ExitCode == 0, setup.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// The doctor's fault matrix on this machine's real Apache and PostgreSQL: each case breaks one
/// thing on a healthy deploy, asserts that the doctor fails that check with the right cause and
/// fix, repairs it (with the doctor's own fix where it is one command), and asserts all is ok again.
/// </summary>
[Collection(DeployCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class DoctorFaultMatrixTests(DeployedSite site) : IClassFixture<DeployedSite>
{
    private const string EnvFile = "/etc/stuff/stuff.env";
    private const string SiteFile = "/etc/apache2/sites-available/stuff.conf";
    private static string PidFile => LivePidFile;
    private const string Certificate = "/etc/ssl/certs/stuff.crt";
    private const string Key = "/etc/ssl/private/stuff.key";

    public static TheoryData<string> Faults =>
    [
        "env file missing", "env file readable by others", "env file unreadable by the service user",
        "database url missing", "base path malformed", "domain malformed",
        "postgres stopped", "wrong database password", "role missing", "database missing", "pg_hba rejects", "migrations pending",
        "key directory missing", "key directory not writable",
        "static files not collected",
        "service stopped", "service crash-looping", "app hung",
        "apache config broken", "proxy_http disabled", "site disabled", "proxy target wrong", "base path differs", "no https redirect",
        "certificate missing", "certificate expired", "certificate expiring", "certificate for another name", "key does not match",
        "static directory writable by others",
    ];

    [DeployTheory]
    [MemberData(nameof(Faults))]
    public async Task The_doctor_names_the_fault_with_its_cause_and_fix(string fault)
    {
        _ = site;
        await HealthyAsync();

        var (check, expected, repair) = await BreakAsync(fault);
        Diagnosis finding;
        try
        {
            var (exit, findings) = await DoctorAsync();
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

        await AllOkAsync($"after repairing '{fault}'");
    }

    private async Task<(string Check, string[] Expected, Func<Diagnosis?, Task> Repair)> BreakAsync(string fault)
    {
        var env = await File.ReadAllTextAsync(EnvFile);
        Func<Diagnosis?, Task> restoreEnv = _ => File.WriteAllTextAsync(EnvFile, env);
        // The doctor's own fix repairs it; when the case failed before there was one, setup does.
        Func<Diagnosis?, Task> runFix = finding => finding is null ? SetupAgainAsync() : RunFixAsync(finding);
        var siteText = await File.ReadAllTextAsync(SiteFile);

        switch (fault)
        {
            case "env file missing":
                File.Move(EnvFile, EnvFile + ".away");
                return ("env-file", [$"{EnvFile} does not exist", "setup --domain"], _ => { File.Move(EnvFile + ".away", EnvFile); return Task.CompletedTask; });
            case "env file readable by others":
                File.SetUnixFileMode(EnvFile, (UnixFileMode)0b110_100_100);
                return ("env-file", ["open to every user", "mode 0644", "chmod 0640"], runFix);
            case "env file unreadable by the service user":
                await ShAsync($"chown root:root {EnvFile} && chmod 0600 {EnvFile}");
                return ("env-file", ["the service user stuff cannot read", "chown root:stuff"], runFix);

            case "database url missing":
                await File.WriteAllTextAsync(EnvFile, Without(env, "DATABASE_URL="));
                return ("settings", ["DATABASE_URL is missing", "DATABASE_URL=postgres://stuff:PASSWORD@127.0.0.1:5432/stuff"], restoreEnv);
            case "base path malformed":
                await File.WriteAllTextAsync(EnvFile, Replace(env, "STUFF_BASE_PATH=", "STUFF_BASE_PATH=/a/../b"));
                return ("settings", ["STUFF_BASE_PATH must be", "STUFF_BASE_PATH=/stuff"], restoreEnv);
            case "domain malformed":
                await File.WriteAllTextAsync(EnvFile, Replace(env, "STUFF_DOMAIN=", "STUFF_DOMAIN=https://localhost/"));
                return ("settings", ["STUFF_DOMAIN must be a host name", "STUFF_DOMAIN=localhost"], restoreEnv);

            case "postgres stopped":
                await ShAsync("pg_ctlcluster $(ls /etc/postgresql | sort -V | tail -n 1) main stop");
                return ("database", ["not-running", "the PostgreSQL server is not running", "pg_ctlcluster"], runFix);
            case "wrong database password":
                await ShAsync("echo \"ALTER ROLE stuff PASSWORD 'not the password in the env file'\" | runuser -u postgres -- psql -X -q");
                // The doctor's second way out: setup sets the role's password from the env file again.
                return ("database", ["password-failed", "is not the password of the role stuff", "\\password stuff", "run setup again"], _ => SetupAgainAsync());
            case "role missing":
                await File.WriteAllTextAsync(EnvFile, env.Replace("postgres://stuff:", "postgres://nosuchrole:", StringComparison.Ordinal));
                return ("database", ["role-missing", "no role named nosuchrole", "createuser --login --pwprompt nosuchrole"], restoreEnv);
            case "database missing":
                await File.WriteAllTextAsync(EnvFile, env.Replace("/stuff\n", "/stuff_nosuchdb\n", StringComparison.Ordinal));
                return ("database", ["database-missing", "no database named stuff_nosuchdb", "createdb --owner stuff stuff_nosuchdb"], restoreEnv);
            case "pg_hba rejects":
                {
                    var hba = (await RunAsync("bash", "-c", "ls /etc/postgresql/*/main/pg_hba.conf | sort -V | tail -n 1")).Output.Trim();
                    var original = await File.ReadAllTextAsync(hba);
                    await File.WriteAllTextAsync(hba, "host stuff stuff 127.0.0.1/32 reject\n" + original);
                    await ShAsync("runuser -u postgres -- psql -XtAc 'SELECT pg_reload_conf()'");
                    return ("database", ["access-rejected", "pg_hba.conf", "host    stuff    stuff    127.0.0.1/32    scram-sha-256", "pg_reload_conf"], async _ =>
                    {
                        await File.WriteAllTextAsync(hba, original);
                        await ShAsync("runuser -u postgres -- psql -XtAc 'SELECT pg_reload_conf()'");
                    }
                    );
                }
            case "migrations pending":
                await ShAsync("runuser -u postgres -- dropdb --if-exists stuff_fresh && runuser -u postgres -- createdb --owner stuff stuff_fresh");
                await File.WriteAllTextAsync(EnvFile, env.Replace("/stuff\n", "/stuff_fresh\n", StringComparison.Ordinal));
                return ("migrations", ["not applied", "migrate"], async finding =>
                {
                    if (finding is not null)
                    {
                        // The fix, as printed, applies them.
                        await RunFixAsync(finding);
                        var (_, after) = await DoctorAsync();
                        Assert.True(after["migrations"].Verdict == "ok", after["migrations"].ToString());
                    }
                    await File.WriteAllTextAsync(EnvFile, env);
                    await ShAsync("runuser -u postgres -- dropdb --force stuff_fresh");
                }
                );

            case "key directory missing":
                Directory.Move("/var/lib/stuff/keys", "/var/lib/stuff/keys.away");
                return ("keys", ["/var/lib/stuff/keys does not exist", "logs everyone out", "install -d -o stuff -g stuff -m 0700"],
                    _ => { Directory.Move("/var/lib/stuff/keys.away", "/var/lib/stuff/keys"); return Task.CompletedTask; }
                );
            case "key directory not writable":
                await ShAsync("chown -R root:root /var/lib/stuff/keys");
                return ("keys", ["stuff cannot write /var/lib/stuff/keys", "chown -R stuff:stuff /var/lib/stuff/keys"], runFix);

            case "static files not collected":
                File.Delete("/var/www/stuff/static/css/site.css");
                return ("static-files", ["missing or out of date", "collectstatic --output /var/www/stuff"], runFix);

            case "service stopped":
                await StopServiceAsync();
                return ("service", ["not running", $"supervise --pid-file {PidFile}"], async finding =>
                {
                    if (finding is not null)
                    {
                        var (_, all) = await DoctorAsync();
                        Assert.Contains($"nothing listens on 127.0.0.1:{LivePort}", all["app"].Summary);
                        Assert.Contains("answers 503", all["https"].Summary);
                        Assert.Contains($"not answering on 127.0.0.1:{LivePort}", all["https"].Cause);
                        await RunFixAsync(finding);
                    }
                    else
                    {
                        await SetupAgainAsync();
                    }
                }
                );
            case "service crash-looping":
                {
                    await File.WriteAllTextAsync(EnvFile, Replace(env, "DATABASE_URL=", "DATABASE_URL=mysql://stuff@127.0.0.1/stuff"));
                    await ShAsync($"pkill -TERM -P \"$(cat {PidFile})\"");
                    for (var i = 0; i < 60 && ServiceFacts.FailedStarts(await File.ReadAllLinesAsync(LiveLogFile)) < 2; i++) await Task.Delay(500);
                    return ("service", ["crash-looping", "DATABASE_URL is not a database URL"], restoreEnv);
                }
            case "app hung":
                await ShAsync($"kill -STOP $(pgrep -P \"$(cat {PidFile})\")");
                return ("app", ["did not answer within 5 s", "hung"], _ => ShAsync($"kill -CONT $(pgrep -P \"$(cat {PidFile})\")"));

            case "apache config broken":
                await File.WriteAllTextAsync("/etc/apache2/conf-enabled/zz-stuff-doctor-test.conf", "NotADirectiveAtAll on\n");
                return ("apache-config", ["apache2ctl -t fails", "Invalid command 'NotADirectiveAtAll'", "zz-stuff-doctor-test.conf"],
                    _ => { File.Delete("/etc/apache2/conf-enabled/zz-stuff-doctor-test.conf"); return Task.CompletedTask; }
                );
            case "proxy_http disabled":
                await ShAsync("a2dismod -q -f proxy_http && apache2ctl graceful && sleep 1");
                return ("apache-modules", ["not enabled: proxy_http", "a2enmod proxy_http"], async finding =>
                {
                    if (finding is null)
                    {
                        await ShAsync("a2enmod -q proxy_http && apache2ctl graceful && sleep 1");
                        return;
                    }
                    var (_, all) = await DoctorAsync();
                    Assert.Contains("mod_proxy_http is not enabled", all["https"].Cause);
                    await RunFixAsync(finding);
                    await Task.Delay(1000);
                }
                );
            case "site disabled":
                await ShAsync("a2dissite -q stuff && apache2ctl graceful && sleep 1");
                return ("apache-site", ["exists but is not enabled", "a2ensite stuff"], async finding =>
                {
                    await runFix(finding);
                    await Task.Delay(1000);
                }
                );
            case "proxy target wrong":
                await File.WriteAllTextAsync(SiteFile, siteText.Replace($"http://127.0.0.1:{LivePort}/stuff/", "http://127.0.0.1:5099/stuff/", StringComparison.Ordinal));
                return ("apache-proxy", ["Apache sends /stuff/ to http://127.0.0.1:5099/stuff/", $"the app listens at http://127.0.0.1:{LivePort}/stuff/"], _ => File.WriteAllTextAsync(SiteFile, siteText));
            case "base path differs":
                await File.WriteAllTextAsync(EnvFile, Replace(env, "STUFF_BASE_PATH=", "STUFF_BASE_PATH=/things"));
                return ("base-path", ["Apache serves the site under /stuff/ but STUFF_BASE_PATH is /things", "STUFF_BASE_PATH=/stuff"], restoreEnv);
            case "no https redirect":
                await File.WriteAllTextAsync(SiteFile, siteText.Replace("    Redirect 308 / https://localhost/", "    # no redirect", StringComparison.Ordinal));
                await ShAsync("apache2ctl graceful && sleep 1");
                return ("https-redirect", ["not a redirect to HTTPS", "Redirect 308 / https://localhost/"], async _ =>
                {
                    await File.WriteAllTextAsync(SiteFile, siteText);
                    await ShAsync("apache2ctl graceful && sleep 1");
                }
                );

            case "certificate missing":
                File.Move(Certificate, Certificate + ".away");
                return ("tls", [$"{Certificate} does not exist"], _ => { File.Move(Certificate + ".away", Certificate); return Task.CompletedTask; });
            case "certificate expired":
                return ("tls", ["expired on", "browsers refuse"], await ReplaceCertificateAsync("localhost", DateTime.UtcNow.AddDays(-2)));
            case "certificate expiring":
                return ("tls", ["expires in 5 day(s)", "renew"], await ReplaceCertificateAsync("localhost", DateTime.UtcNow.AddDays(5).AddHours(12)));
            case "certificate for another name":
                return ("tls", ["is for other.example, not localhost"], await ReplaceCertificateAsync("other.example", DateTime.UtcNow.AddDays(300)));
            case "key does not match":
                {
                    var key = await File.ReadAllBytesAsync(Key);
                    using var other = RSA.Create(2048);
                    await File.WriteAllTextAsync(Key, other.ExportPkcs8PrivateKeyPem());
                    return ("tls", [$"{Key} is not the private key of {Certificate}", "sha256sum"], _ => File.WriteAllBytesAsync(Key, key));
                }

            case "static directory writable by others":
                await ShAsync("chmod o+w /var/www/stuff/static/css");
                return ("permissions", ["/var/www/stuff/static/css", "writable by every user", "chmod -R o-w /var/www/stuff", "never chmod 777"], runFix);
        }
        throw new ArgumentException($"no such fault: {fault}", nameof(fault));
    }

    /// <summary>Puts a made-up certificate and key in place; the repair puts the real ones back.</summary>
    private static async Task<Func<Diagnosis?, Task>> ReplaceCertificateAsync(string name, DateTime notAfter)
    {
        var certificate = await File.ReadAllBytesAsync(Certificate);
        var key = await File.ReadAllBytesAsync(Key);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        using var made = request.CreateSelfSigned(notAfter.AddDays(-400), notAfter);
        await File.WriteAllTextAsync(Certificate, made.ExportCertificatePem());
        await File.WriteAllTextAsync(Key, rsa.ExportPkcs8PrivateKeyPem());
        return async _ =>
        {
            await File.WriteAllBytesAsync(Certificate, certificate);
            await File.WriteAllBytesAsync(Key, key);
        };
    }

    /// <summary>Runs the first line of the doctor's fix as a person would paste it (here as root, so sudo is a no-op).</summary>
    private static Task RunFixAsync(Diagnosis? finding)
    {
        Assert.NotNull(finding?.Fix);
        var line = finding.Fix.Split('\n')[0];
        const string sudo = "sudo() { if [ \"$1\" = -u ]; then local u=\"$2\"; shift 2; runuser -u \"$u\" -- env \"$@\"; else \"$@\"; fi; }";
        return ShAsync($"{sudo}\n{line}");
    }

    private static async Task<(int Exit, Dictionary<string, Diagnosis> Findings)> DoctorAsync()
    {
        var result = await RunAsync(DeployedSite.Installed, "doctor", "--json");
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var findings = json.RootElement.GetProperty("checks").EnumerateArray().Select(c => new Diagnosis(
            c.GetProperty("id").GetString()!,
            c.GetProperty("verdict").GetString()!,
            c.GetProperty("summary").GetString()!,
            c.TryGetProperty("cause", out var cause) ? cause.GetString() : null,
            c.TryGetProperty("fix", out var fix) ? fix.GetString() : null,
            [.. c.GetProperty("details").EnumerateArray().Select(d => d.GetString()!)]));
        return (result.ExitCode, findings.ToDictionary(f => f.Id));
    }

    /// <summary>The doctor says all is well, within a short while (an app restarting, Apache reloading).</summary>
    private static async Task AllOkAsync(string when)
    {
        var (exit, findings) = await DoctorAsync();
        for (var i = 0; i < 20 && exit != 0; i++)
        {
            await Task.Delay(1000);
            (exit, findings) = await DoctorAsync();
        }
        Assert.True(exit == 0, $"not all ok {when}:\n{string.Join("\n", findings.Values.Where(f => f.Verdict == "failed"))}");
    }

    /// <summary>Each case starts from a healthy deploy; if an earlier case left it broken, setup repairs it.</summary>
    private static async Task HealthyAsync()
    {
        var (exit, _) = await DoctorAsync();
        if (exit == 0) return;
        await SetupAgainAsync();
        await AllOkAsync("before the case");
    }

    private static async Task SetupAgainAsync()
    {
        var setup = await RunAsync(DeployedSite.Installed, "setup", "--domain", "localhost", "--tls", "self-signed");
        Assert.True(setup.ExitCode == 0, setup.ToString());
    }

    private static async Task StopServiceAsync()
    {
        var pid = (await File.ReadAllTextAsync(PidFile)).Trim();
        await RunAsync("kill", "-TERM", pid);
        for (var i = 0; i < 60 && Directory.Exists($"/proc/{pid}"); i++) await Task.Delay(500);
    }

    private static string Without(string env, string prefix) =>
        string.Join('\n', env.Split('\n').Where(l => !l.StartsWith(prefix, StringComparison.Ordinal)));

    private static string Replace(string env, string prefix, string line) =>
        string.Join('\n', env.Split('\n').Select(l => l.StartsWith(prefix, StringComparison.Ordinal) ? line : l));
}
