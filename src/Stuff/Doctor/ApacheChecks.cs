using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Stuff.Setup;

namespace Stuff.Doctor;

/// <summary>Apache: running, configuration valid, modules and site enabled, and proxying to where the app listens under the same base path.</summary>
public sealed class ApacheCheck : DoctorCheck
{
    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var layout = context.Layout;
        var findings = new List<Finding>();
        var ctl = layout.ApacheCtl;

        // The configuration test reads every file Apache would, which takes root.
        if (!context.IsRoot)
        {
            findings.Add(Finding.Skipped("apache-config", "Apache configuration", "needs root: run sudo stuff doctor"));
        }
        else
        {
            var test = await context.Shell.TryRunAsync(ctl, ["-t"], cancellationToken);
            if (test is null)
                findings.Add(Finding.Failed("apache-config", "Apache configuration", $"{ctl} is not installed", "Apache is missing", $"run setup again, which installs it: sudo {layout.Executable} setup --domain {context.Domain}"));
            else if (test.Ok)
                findings.Add(Finding.Ok("apache-config", "Apache configuration", $"{ctl} -t: Syntax OK"));
            else
                findings.Add(Finding.Failed("apache-config", "Apache configuration", $"{ctl} -t fails", ApacheFacts.ConfigTestError(test.Error + test.Output),
                    $"correct the file and line named above; {ctl} -t must say Syntax OK before Apache can start or reload (a reload with a broken file keeps the old configuration; a restart stops Apache)"));
        }

        var loaded = await LoadedModulesAsync(context, cancellationToken);
        var missing = ApacheModulesStep.Modules.Where(m => !loaded.Contains(m)).ToList();
        findings.Add(missing.Count == 0
            ? Finding.Ok("apache-modules", "Apache modules", string.Join(", ", ApacheModulesStep.Modules) + " enabled")
            : Finding.Failed("apache-modules", "Apache modules", "not enabled: " + string.Join(", ", missing),
                string.Join("; ", missing.Select(ApacheFacts.WhatModuleDoes)),
                context.Facts.Family == Family.Debian
                    ? $"sudo a2enmod {string.Join(' ', missing)} && {context.ReloadApache}"
                    : $"sudo dnf install {(missing.Contains("ssl") ? "mod_ssl " : "")}httpd and check the LoadModule lines in /etc/httpd/conf.modules.d/, then {context.ReloadApache}"));

        findings.Add(await SiteAsync(context, cancellationToken));
        findings.AddRange(Proxy(context));
        return findings;
    }

    private static async Task<HashSet<string>> LoadedModulesAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.Family == Family.Debian)
        {
            return ApacheModulesStep.Modules.Where(m => File.Exists($"/etc/apache2/mods-enabled/{m}.load")).ToHashSet();
        }
        var list = await context.Shell.TryRunAsync("httpd", ["-M"], cancellationToken);
        return ApacheFacts.LoadedModules(list?.Output ?? "");
    }

    private static async Task<Finding> SiteAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        const string id = "apache-site";
        const string name = "Apache site";
        var layout = context.Layout;
        if (context.Site is null)
            return Finding.Failed(id, name, $"{layout.ApacheSiteFile} does not exist", "Apache does not know the site", $"run setup again, which writes it: sudo {layout.Executable} setup --domain {context.Domain} (with your --tls options)");
        if (context.Facts.Family == Family.Debian && !File.Exists("/etc/apache2/sites-enabled/stuff.conf"))
            return Finding.Failed(id, name, $"{layout.ApacheSiteFile} exists but is not enabled", "Apache does not read the site, so its default site answers instead", $"sudo a2ensite stuff && {context.ReloadApache}");

        var running = context.Facts.HasSystemd
            ? (await context.Shell.RunAsync("systemctl", ["is-active", "--quiet", layout.ApacheService], cancellationToken)).Ok
            : (await context.Shell.RunAsync("pgrep", ["-x", layout.ApacheService], cancellationToken)).Ok;
        if (!running)
        {
            return Finding.Failed(id, name, $"{layout.ApacheService} is not running", "nothing answers on ports 80 and 443",
                context.Facts.HasSystemd ? $"sudo systemctl enable --now {layout.ApacheService}" : $"sudo {layout.ApacheCtl} start");
        }
        return Finding.Ok(id, name, $"{layout.ApacheSiteFile} enabled, {layout.ApacheService} running");
    }

    private static IEnumerable<Finding> Proxy(DoctorContext context)
    {
        if (context.Site is not { } site || site.Proxies.Count == 0)
        {
            yield return Finding.Skipped("apache-proxy", "Apache proxy target", "no ProxyPass in Apache's site");
            yield break;
        }
        var (prefix, target) = site.Proxies[^1];
        var expected = context.AppUrl("/");
        var proxiedPath = prefix.TrimEnd('/');
        // Behind the balancer, the live instance must be one of its members, under the same path.
        var reaches = target.StartsWith("balancer://", StringComparison.OrdinalIgnoreCase)
            ? Uri.TryCreate(target, UriKind.Absolute, out var balancer) && site.BalancerMembers.Any(m =>
                Uri.TryCreate(m + balancer.AbsolutePath, UriKind.Absolute, out var member) && Same(member, new Uri(expected)))
            : Uri.TryCreate(target, UriKind.Absolute, out var url) && Same(url, new Uri(expected));
        yield return reaches
            ? Finding.Ok("apache-proxy", "Apache proxy target", $"{prefix} → {target}")
            : Finding.Failed("apache-proxy", "Apache proxy target", $"Apache sends {prefix} to {target}, but the app listens at {expected}",
                "every page through Apache fails with 502/503 or 404",
                $"in {site.Path}, make ProxyPass and ProxyPassReverse say: {prefix} {expected}\nthen: {context.ReloadApache}");

        var appPath = context.Options.NormalizedBasePath;
        yield return proxiedPath == appPath
            ? Finding.Ok("base-path", "Base path", $"Apache and the app agree on {(appPath.Length > 0 ? appPath : "/")}")
            : Finding.Failed("base-path", "Base path", $"Apache serves the site under {(proxiedPath.Length > 0 ? proxiedPath : "/")}/ but STUFF_BASE_PATH is {(appPath.Length > 0 ? appPath : "empty")}",
                "the app builds its links and cookie paths from STUFF_BASE_PATH, so links, styles and logins break behind Apache",
                $"set STUFF_BASE_PATH={proxiedPath} in {context.EnvFilePath}, then restart the app: {context.RestartApp}");
    }

    private static bool Same(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && a.AbsolutePath.TrimEnd('/') == b.AbsolutePath.TrimEnd('/')
        && (a.Host == b.Host || (IPAddress.TryParse(a.Host, out var x) && IPAddress.IsLoopback(x) && b.IsLoopback));
}

/// <summary>The certificate and key Apache's site names: present, matching each other, for the domain, and not expiring soon.</summary>
public sealed class TlsCheck : DoctorCheck
{
    private const string Id = "tls";
    private const string Name = "TLS certificate";
    public const int FailDays = 14;
    public const int WarnDays = 30;

    public override Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Finding>>([Judge(context)]);

    private static Finding Judge(DoctorContext context)
    {
        var certificate = context.Site?.CertificateFile ?? context.Layout.CertificateFile;
        var key = context.Site?.KeyFile ?? context.Layout.KeyFile;
        var renew = $"renew it with your certificate authority and install it at {certificate} and {key}, or for a self-signed one run setup again: sudo {context.Layout.Executable} setup --domain {context.Domain} --tls self-signed";
        if (!File.Exists(certificate))
            return Finding.Failed(Id, Name, $"{certificate} does not exist", "Apache cannot start its HTTPS site without it", renew);
        if (!File.Exists(key))
            return Finding.Failed(Id, Name, $"{key} does not exist", "Apache cannot start its HTTPS site without the private key", renew);

        X509Certificate2 cert;
        try
        {
            cert = X509Certificate2.CreateFromPem(File.ReadAllText(certificate));
        }
        catch (CryptographicException e)
        {
            return Finding.Failed(Id, Name, $"{certificate} is not a PEM certificate", e.Message, renew);
        }
        using (cert)
        {
            var verdict = TlsFacts.Judge(cert, context.Domain, DateTime.UtcNow);
            if (verdict is not null)
            {
                var failed = verdict.Value.Fail;
                return new Finding(Id, Name, failed ? Verdict.Failed : Verdict.Warning, verdict.Value.Summary, verdict.Value.Cause, renew);
            }
            if (!context.IsRoot)
                return Finding.Ok(Id, Name, $"{Describe(cert)} (run as root to also compare the private key)");
            try
            {
                using var paired = X509Certificate2.CreateFromPemFile(certificate, key);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                return Finding.Failed(Id, Name, $"{key} is not the private key of {certificate}",
                    "Apache refuses to start (or keeps the old pair on reload) when the key does not belong to the certificate",
                    $"install the key that was made with this certificate at {key}, or both anew; check: openssl x509 -noout -pubkey -in {certificate} | sha256sum and openssl pkey -pubout -in {key} | sha256sum must print the same");
            }
            return Finding.Ok(Id, Name, Describe(cert));
        }
    }

    private static string Describe(X509Certificate2 cert) =>
        $"for {cert.GetNameInfo(X509NameType.DnsName, false)}, valid until {cert.NotAfter.ToUniversalTime():yyyy-MM-dd} ({(cert.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalDays:0} days)";
}

public static class TlsFacts
{
    /// <summary>Null when the certificate is fine for the domain at the time; otherwise what is wrong and whether it fails.</summary>
    public static (bool Fail, string Summary, string Cause)? Judge(X509Certificate2 cert, string domain, DateTime utcNow)
    {
        var notAfter = cert.NotAfter.ToUniversalTime();
        var days = (notAfter - utcNow).TotalDays;
        if (notAfter <= utcNow)
            return (true, $"expired on {notAfter:yyyy-MM-dd}", "browsers refuse the site with a certificate error");
        if (cert.NotBefore.ToUniversalTime() > utcNow)
            return (true, $"not valid before {cert.NotBefore.ToUniversalTime():yyyy-MM-dd}", "browsers refuse it; if that date is in the past, this server's clock is wrong (see Clock)");
        if (!cert.MatchesHostname(domain))
            return (true, $"is for {cert.GetNameInfo(X509NameType.DnsName, false)}, not {domain}", "browsers refuse a certificate for another name");
        if (days < TlsCheck.FailDays)
            return (true, $"expires in {days:0} day(s), on {notAfter:yyyy-MM-dd}", $"less than {TlsCheck.FailDays} days are left to renew it before browsers refuse the site");
        if (days < TlsCheck.WarnDays)
            return (false, $"expires in {days:0} days, on {notAfter:yyyy-MM-dd}", "renew it soon");
        return null;
    }
}

/// <summary>From outside: HTTP redirects to HTTPS, and the list page answers over HTTPS through Apache; a 502/503 is explained.</summary>
public sealed class FrontDoorCheck : DoctorCheck
{
    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var domain = context.Domain;
        var path = context.Options.NormalizedBasePath + "/";
        // The certificate has its own check; here the question is what Apache answers.
        using var client = LocalApache.Client(acceptAnyCertificate: true, TimeSpan.FromSeconds(10));

        var findings = new List<Finding>();
        var http = $"http://{domain}{path}";
        try
        {
            using var response = await client.GetAsync(http, cancellationToken);
            findings.Add((int)response.StatusCode is 301 or 302 or 307 or 308 && response.Headers.Location?.Scheme == "https"
                ? Finding.Ok("https-redirect", "HTTP to HTTPS", $"{http} → {response.Headers.Location}")
                : Finding.Failed("https-redirect", "HTTP to HTTPS", $"{http} answers {(int)response.StatusCode}, not a redirect to HTTPS",
                    "visitors who type the name stay on plain HTTP, where logins travel unencrypted",
                    $"the port-80 VirtualHost in {context.Layout.ApacheSiteFile} must say: Redirect 308 / https://{domain}/ (run setup again to rewrite it), then {context.ReloadApache}"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            findings.Add(Finding.Failed("https-redirect", "HTTP to HTTPS", $"{http} cannot be reached", e.Message, "see Apache site above"));
        }

        var https = $"https://{domain}{path}";
        try
        {
            using var response = await client.GetAsync(https, cancellationToken);
            var status = (int)response.StatusCode;
            if (status == 200)
                findings.Add(Finding.Ok("https", "Site over HTTPS", $"{https} answers 200"));
            else if (status is 502 or 503 or 500)
                findings.Add(await ExplainProxyErrorAsync(context, https, status, cancellationToken));
            else
                findings.Add(Finding.Failed("https", "Site over HTTPS", $"{https} answers {status}",
                    status == 404 ? "Apache does not send this path to the app (another site answers, or the base path differs)" : "the list page should answer 200",
                    "see the Apache site, proxy target and base path lines above"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            findings.Add(Finding.Failed("https", "Site over HTTPS", $"{https} cannot be reached", e.Message, "see the Apache site and TLS certificate lines above"));
        }
        return findings;
    }

    private static async Task<Finding> ExplainProxyErrorAsync(DoctorContext context, string url, int status, CancellationToken cancellationToken)
    {
        var log = ErrorLog(context);
        var recent = LogTail.Read(log, 20);
        var reason = ApacheFacts.ProxyFailure(recent);
        var summary = $"{url} answers {status}";
        var details = recent.Where(l => l.Contains("AH0", StringComparison.Ordinal)).TakeLast(3).ToList();
        Finding Fail(string cause, string fix) => Finding.Failed("https", "Site over HTTPS", summary, cause, fix) with { Details = details };

        if (reason == ProxyFailureKind.NoHandler)
            return Fail("Apache has no module for http:// proxy targets (mod_proxy_http is not enabled)", $"sudo a2enmod proxy_http && {context.ReloadApache}");
        if (context.AppAnswers == false)
            return Fail($"Apache cannot reach the app: it is not answering on {context.AppAddress.Authority} (see App service and App answers)", context.StartApp);
        if (reason == ProxyFailureKind.Denied)
            return Fail("Apache is not allowed to connect to the app: the connection was denied (Permission denied), which on SELinux hosts is the policy (see SELinux)",
                $"sudo semanage port -a -t http_port_t -p tcp {context.AppAddress.Port} && sudo setsebool -P httpd_graceful_shutdown 1");
        if (reason == ProxyFailureKind.Refused)
            return Fail($"Apache's connection to the app was refused at the time, though the app answers now; Apache waits before trying a failed backend again", $"{context.ReloadApache}; and use retry=0 on the ProxyPass line (setup writes it)");
        return Fail(status == 500 ? "the app failed on the list page (an error page with a request id; the app's log has the exception)" : "the proxy could not get an answer from the app",
            $"read the app's log for the request (and {log})");
    }

    public static string ErrorLog(DoctorContext context) => context.Facts.Family == Family.Debian
        ? "/var/log/apache2/stuff-error.log"
        : "/var/log/httpd/stuff-error.log";

}

public enum ProxyFailureKind { None, Refused, Denied, NoHandler }

/// <summary>Reading Apache's output by its AH codes and errno, not by wording.</summary>
public static class ApacheFacts
{
    /// <summary>The line naming the file and line, and the line after it with the complaint.</summary>
    public static string ConfigTestError(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#')).ToList();
        var at = lines.FindIndex(l => l.Contains("AH00526", StringComparison.Ordinal));
        if (at >= 0) return string.Join(" ", lines.Skip(at).Take(2));
        return string.Join(" ", lines.Where(l => !l.StartsWith("Action '", StringComparison.Ordinal) && !l.StartsWith("The Apache error log", StringComparison.Ordinal)).Take(3));
    }

    /// <summary>Module names (proxy_http ...) from `httpd -M` output.</summary>
    public static HashSet<string> LoadedModules(string output) =>
        output.Split('\n', StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[0])
            .Where(m => m.EndsWith("_module", StringComparison.Ordinal))
            .Select(m => m[..^"_module".Length])
            .ToHashSet();

    public static string WhatModuleDoes(string module) => module switch
    {
        "proxy" => "proxy: without it Apache cannot pass requests to the app",
        "proxy_http" => "proxy_http: without it every page answers 500 (no handler for http:// targets)",
        "headers" => "headers: without it the site's Header and RequestHeader lines are errors",
        "ssl" => "ssl: without it there is no HTTPS",
        "alias" => "alias: without it static files are not served from disk",
        _ => module,
    };

    /// <summary>What the newest proxy error in the error log says: refused (errno 111), denied (errno 13), or no handler (AH01144).</summary>
    public static ProxyFailureKind ProxyFailure(IEnumerable<string> errorLog)
    {
        foreach (var line in errorLog.Reverse())
        {
            if (line.Contains("AH01144", StringComparison.Ordinal)) return ProxyFailureKind.NoHandler;
            if (line.Contains("AH00957", StringComparison.Ordinal) || line.Contains("AH01114", StringComparison.Ordinal))
            {
                if (line.Contains("(13)", StringComparison.Ordinal)) return ProxyFailureKind.Denied;
                if (line.Contains("(111)", StringComparison.Ordinal)) return ProxyFailureKind.Refused;
            }
        }
        return ProxyFailureKind.None;
    }
}
