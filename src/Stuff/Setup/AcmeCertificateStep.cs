using System.Diagnostics;
using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// With --tls acme, once Apache has the site: waits (bounded) until mod_md has the certificate
/// from the CA, serves it with a graceful reload, and checks that Apache serves it. A CA that
/// refuses stops setup with its own reason and the fix; the next run continues from there.
/// </summary>
public sealed class AcmeCertificateStep : Step
{
    public override string Name => "Certificate from the CA";

    public override IEnumerable<string> Describe(SetupContext context) => context.Settings.Acme is { } acme
        ?
        [
            $"restart Apache when mod_md does not yet drive {context.Settings.Domain} (mod_md just enabled, or earlier attempts failed; the site answers 503 until it has a certificate)",
            $"wait up to {context.Settings.AcmeWithin.TotalMinutes:0} minutes until mod_md has the certificate for {context.Settings.Domain} from {acme.Ca} ({acme.Challenge}); its status: https://127.0.0.1{AcmeSettings.StatusPath}/{context.Settings.Domain} (this machine only)",
            context.Apache.DescribeReload + "   (serves it; in-flight requests finish)",
            $"a refusal stops here with the CA's reason (mod_md's status and {context.Layout.ApacheMainErrorLog})",
        ]
        : ["none: the certificate is a file (see TLS certificate)"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Settings.Acme is null) return null;
        var domain = context.Settings.Domain;
        var status = await ManagedCertificate.StatusAsync(domain, cancellationToken);
        if (status is null) return $"mod_md has no status for {domain} yet";
        using var served = await ManagedCertificate.ServedAsync(domain, cancellationToken);
        if (served is null) return "Apache serves no certificate on port 443";
        if (status.WaitsForReload) return "a certificate from the CA waits for a graceful reload";
        if (ManagedCertificate.IsFallback(served) || !status.HasUsableCertificate) return "no certificate from the CA yet";
        if (!ManagedCertificate.SameSerial(served, status.Certificate?.Serial)) return "Apache serves another certificate than mod_md has";
        return served.MatchesHostname(domain) ? null : $"the certificate is not for {domain}";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var acme = context.Settings.Acme!;
        var domain = context.Settings.Domain;
        var clock = Stopwatch.StartNew();
        var status = await ManagedCertificate.StatusAsync(domain, cancellationToken);
        // mod_md drives a domain from Apache's start: a module just enabled, or a domain whose
        // last attempts failed, waits for a restart (a graceful one is not enough). Until it has a
        // certificate the site answers 503 anyway, so a restart costs nothing.
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        if (status is null || !status.Watched || status.Failing || status is { HasUsableCertificate: false, Staged: null, LastRun: null })
        {
            await context.Apache.RestartAsync(cancellationToken);
            since = DateTimeOffset.UtcNow.AddSeconds(-1);
        }
        while (clock.Elapsed < context.Settings.AcmeWithin)
        {
            status = await ManagedCertificate.StatusAsync(domain, cancellationToken);
            if (status is { WaitsForReload: true } or { HasUsableCertificate: true })
            {
                await ServeAsync(context, status, cancellationToken);
                return;
            }
            // Only an attempt of this run counts: an earlier one's error is what this run retries.
            if (status is { Failing: true, LastRun: { } last } && last >= since)
            {
                var failure = ManagedCertificate.Explain(status, LogTail.Read(context.Layout.ApacheMainErrorLog, 200), domain, acme);
                throw new ServerException($"no certificate for {domain} from {acme.Ca}: {failure.Reason}.{Environment.NewLine}" +
                    $"Cause: {failure.Cause}.{Environment.NewLine}Fix: {failure.Fix}.{Environment.NewLine}" +
                    $"Meanwhile Apache answers 503 with a stand-in certificate; --tls self-signed serves the site again while you fix it.");
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
        throw new ServerException($"mod_md had no certificate for {domain} from {acme.Ca} after {context.Settings.AcmeWithin.TotalSeconds:0} s " +
            $"({(status is null ? "its status did not answer" : status.LastDetail ?? "no answer from the CA yet")}); run setup again to wait longer, and see {context.Layout.ApacheMainErrorLog}");
    }

    /// <summary>A graceful reload, then until Apache serves the certificate mod_md has.</summary>
    private static async Task ServeAsync(SetupContext context, MdStatus status, CancellationToken cancellationToken)
    {
        var domain = context.Settings.Domain;
        var serial = (status.WaitsForReload ? status.Staged : status.Certificate)?.Serial;
        await context.Apache.ReloadAsync(cancellationToken);
        var served = await Wait.UntilAsync(async token =>
        {
            using var certificate = await ManagedCertificate.ServedAsync(domain, token);
            return certificate is not null && !ManagedCertificate.IsFallback(certificate) && (serial is null || ManagedCertificate.SameSerial(certificate, serial));
        }, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), cancellationToken);
        if (!served) throw new ServerException($"Apache still serves another certificate than mod_md's for {domain} 30 s after a graceful reload; see {context.Layout.ApacheMainErrorLog}");
    }
}
