using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>From outside: HTTP redirects to HTTPS, and the list page answers over HTTPS through Apache; a 502/503 is explained.</summary>
public sealed class FrontDoorCheck : DoctorCheck
{
    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var domain = context.Domain;
        // The certificate has its own check; here the question is what Apache answers.
        var (http, https) = await FrontDoor.AskAsync(domain, context.Options.NormalizedBasePath, acceptAnyCertificate: true, TimeSpan.FromSeconds(10), cancellationToken);

        var findings = new List<Finding>();
        if (http.Error is { } unreachable)
            findings.Add(Finding.Failed("https-redirect", "HTTP to HTTPS", $"{http.Url} cannot be reached", unreachable, "see Apache site above"));
        else if (http.RedirectsToHttps)
            findings.Add(Finding.Ok("https-redirect", "HTTP to HTTPS", $"{http.Url} → {http.Location}"));
        else
            findings.Add(Finding.Failed("https-redirect", "HTTP to HTTPS", $"{http.Url} answers {http.Status}, not a redirect to HTTPS",
                "visitors who type the name stay on plain HTTP, where logins travel unencrypted",
                $"the port-80 VirtualHost in {context.Layout.ApacheSiteFile} must say: Redirect 308 / https://{domain}/ (run setup again to rewrite it), then {context.ReloadApache}"));

        if (https.Error is { } failed)
            findings.Add(Finding.Failed("https", "Site over HTTPS", $"{https.Url} cannot be reached", failed, "see the Apache site and TLS certificate lines above"));
        else if (https.Status == 200)
            findings.Add(Finding.Ok("https", "Site over HTTPS", $"{https.Url} answers 200"));
        else if (https.Status is 502 or 503 or 500)
            findings.Add(await ExplainProxyErrorAsync(context, https.Url, https.Status.Value, cancellationToken));
        else
            findings.Add(Finding.Failed("https", "Site over HTTPS", $"{https.Url} answers {https.Status}",
                https.Status == 404 ? "Apache does not send this path to the app (another site answers, or the base path differs)" : "the list page should answer 200",
                "see the Apache site, proxy target and base path lines above"));
        return findings;
    }

    private static async Task<Finding> ExplainProxyErrorAsync(DoctorContext context, string url, int status, CancellationToken cancellationToken)
    {
        var log = context.Layout.ApacheErrorLog;
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

}
