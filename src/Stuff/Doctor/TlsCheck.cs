using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>The certificate and key Apache's site names: present, matching each other, for the domain, and not expiring soon.</summary>
public sealed class TlsCheck : DoctorCheck
{
    private const string Id = "tls";
    private const string Name = "TLS certificate";
    public const int FailDays = 14;
    public const int WarnDays = 30;

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken) =>
        [context.Site?.Acme is { } acme ? await ManagedAsync(context, acme, cancellationToken) : Judge(context)];

    /// <summary>
    /// A certificate mod_md manages: the one Apache serves (issuer, expiry), mod_md's next
    /// renewal, a failed attempt with the CA's reason, a renewal waiting for a reload.
    /// </summary>
    private static async Task<Finding> ManagedAsync(DoctorContext context, AcmeSettings acme, CancellationToken cancellationToken)
    {
        var domain = context.Site?.ManagedDomain ?? context.Domain;
        var rerun = $"sudo {context.Layout.Executable} setup --domain {domain} --tls acme --email {acme.Email}{(acme.Ca == AcmeSettings.LetsEncrypt ? "" : $" --acme-ca {acme.Ca}")}";
        var status = await ManagedCertificate.StatusAsync(domain, cancellationToken);
        if (status is null)
            return Finding.Failed(Id, Name, $"mod_md has no status for {domain} (https://127.0.0.1{AcmeSettings.StatusPath}/{domain} does not answer)",
                "Apache is not running, does not load mod_md, or its site file was changed", $"run setup again: {rerun}");
        using var served = await ManagedCertificate.ServedAsync(domain, cancellationToken);
        AcmeFailure? failure = status.Failing ? ManagedCertificate.Explain(status, LogTail.Read(context.Layout.ApacheMainErrorLog, 200), domain, acme) : null;
        if (served is null || ManagedCertificate.IsFallback(served) || status.Certificate is null)
        {
            if (status.WaitsForReload)
                return Finding.Failed(Id, Name, $"the certificate for {domain} from the CA is ready but not served yet", "Apache serves it after a graceful reload",
                    context.ReloadApache);
            return failure is null
                ? Finding.Failed(Id, Name, $"no certificate from the CA for {domain} yet", "browsers refuse the fallback certificate Apache serves meanwhile (and it answers 503)",
                    $"wait a minute and look again; mod_md is asking {acme.Ca}")
                : Finding.Failed(Id, Name, $"no certificate from the CA for {domain}: {failure.Reason}", failure.Cause, failure.Fix);
        }

        var verdict = TlsFacts.Judge(served, domain, DateTime.UtcNow);
        if (verdict is { Fail: true } v)
            return Finding.Failed(Id, Name, $"the certificate {v.Summary}", failure?.Reason ?? v.Cause, failure?.Fix ?? $"look at mod_md's renewals in {context.Layout.ApacheMainErrorLog}, then: {rerun}");
        var described = $"{Describe(served)} from {served.GetNameInfo(X509NameType.SimpleName, forIssuer: true)}, managed by mod_md";
        if (status.WaitsForReload)
            return Finding.Warning(Id, Name, $"{described}; a renewed certificate waits for a graceful reload",
                $"{AcmeSettings.ReloadPathUnit} reloads Apache when mod_md says it renewed; until a reload the old certificate is served", context.ReloadApache);
        if (failure is not null)
            return Finding.Warning(Id, Name, $"{described}; its renewal failed: {failure.Reason}", $"{failure.Cause}; mod_md tries again by itself", failure.Fix);
        if (context.Facts.HasSystemd && !(await context.Shell.RunAsync("systemctl", ["is-active", "--quiet", AcmeSettings.ReloadPathUnit], cancellationToken)).Ok)
            return Finding.Warning(Id, Name, $"{described}; {AcmeSettings.ReloadPathUnit} is not watching",
                "a renewed certificate would wait for a reload by hand", $"sudo systemctl enable --now {AcmeSettings.ReloadPathUnit}");
        var next = status.RenewAt is { } at ? $"; renewal from {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "";
        return Finding.Ok(Id, Name, described + next);
    }

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
