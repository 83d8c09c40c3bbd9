using System.Net;
using System.Security.Cryptography.X509Certificates;
using Stuff.Server;

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
            var test = await context.Apache.TestConfigurationAsync(cancellationToken);
            if (test is null)
                findings.Add(Finding.Failed("apache-config", "Apache configuration", $"{ctl} is not installed", "Apache is missing", $"run setup again, which installs it: sudo {layout.Executable} setup --domain {context.Domain}"));
            else if (test.Ok)
                findings.Add(Finding.Ok("apache-config", "Apache configuration", $"{ctl} -t: Syntax OK"));
            else
                findings.Add(Finding.Failed("apache-config", "Apache configuration", $"{ctl} -t fails", ApacheFacts.ConfigTestError(test.Error + test.Output),
                    $"correct the file and line named above; {ctl} -t must say Syntax OK before Apache can start or reload (a reload with a broken file keeps the old configuration; a restart stops Apache)"));
        }

        var missing = await context.Apache.MissingModulesAsync(context.Site?.Acme is not null, cancellationToken);
        findings.Add(missing.Count == 0
            ? Finding.Ok("apache-modules", "Apache modules", string.Join(", ", Apache.ModulesFor(context.Site?.Acme is not null)) + " enabled")
            : Finding.Failed("apache-modules", "Apache modules", "not enabled: " + string.Join(", ", missing),
                string.Join("; ", missing.Select(ApacheFacts.WhatModuleDoes)),
                context.Facts.Family == Family.Debian
                    ? $"sudo a2enmod {string.Join(' ', missing)} && {context.ReloadApache}"
                    : $"sudo dnf install {(missing.Contains("ssl") ? "mod_ssl " : "")}httpd and check the LoadModule lines in /etc/httpd/conf.modules.d/, then {context.ReloadApache}"));

        findings.Add(await SiteAsync(context, cancellationToken));
        findings.AddRange(Proxy(context));
        return findings;
    }

    private static async Task<Finding> SiteAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        const string id = "apache-site";
        const string name = "Apache site";
        var layout = context.Layout;
        if (context.Site is null)
            return Finding.Failed(id, name, $"{layout.ApacheSiteFile} does not exist", "Apache does not know the site", $"run setup again, which writes it: sudo {layout.Executable} setup --domain {context.Domain} (with your --tls options)");
        if (!context.Apache.SiteEnabled)
            return Finding.Failed(id, name, $"{layout.ApacheSiteFile} exists but is not enabled", "Apache does not read the site, so its default site answers instead", $"sudo a2ensite stuff && {context.ReloadApache}");

        if (!await context.Apache.IsRunningAsync(cancellationToken))
            return Finding.Failed(id, name, $"{layout.ApacheService} is not running", "nothing answers on ports 80 and 443", context.Apache.StartCommand);
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
