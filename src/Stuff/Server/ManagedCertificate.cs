using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Stuff.Server;

/// <summary>A certificate as mod_md's status shows it: its serial and validity.</summary>
public sealed record MdCertificate(string? Serial, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil);

/// <summary>
/// mod_md's status of one managed domain (md-status JSON): the certificate it serves, a renewed
/// one staged for the next graceful reload, and how its last attempt with the CA went.
/// </summary>
public sealed record MdStatus(
    string Name,
    MdCertificate? Certificate,
    MdCertificate? Staged,
    bool RenewalFinished,
    int Errors,
    int LastStatus,
    string? LastProblem,
    string? LastDetail,
    DateTimeOffset? NextRun,
    DateTimeOffset? RenewAt,
    DateTimeOffset? LastRun = null,
    bool Watched = true,
    string? LastStatusText = null)
{
    /// <summary>mod_md has a certificate that the next graceful reload serves: the first one, or a renewal.</summary>
    public bool WaitsForReload => Staged is not null && RenewalFinished;

    /// <summary>mod_md has a certificate that is valid now (an expired one it keeps is no use).</summary>
    public bool HasUsableCertificate => Certificate is { ValidUntil: { } until } && until > DateTimeOffset.UtcNow;

    /// <summary>The last attempt with the CA failed.</summary>
    public bool Failing => Errors > 0 || LastStatus != 0;

    /// <summary>The domain's status from md-status JSON (one domain's object, or {"managed-domains": [...]}); null when it has none.</summary>
    public static MdStatus? Parse(string json, string domain)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var md = root;
        if (root.TryGetProperty("managed-domains", out var all))
            md = all.EnumerateArray().FirstOrDefault(d => Text(d, "name") == domain);
        if (md.ValueKind != JsonValueKind.Object || Text(md, "name") != domain) return null;

        var renewal = md.TryGetProperty("renewal", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
        var last = renewal.ValueKind == JsonValueKind.Object && renewal.TryGetProperty("last", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
        return new MdStatus(
            domain,
            ReadCertificate(md, "cert"),
            renewal.ValueKind == JsonValueKind.Object ? ReadCertificate(renewal, "cert") : null,
            renewal.ValueKind == JsonValueKind.Object && renewal.TryGetProperty("finished", out var finished) && finished.ValueKind == JsonValueKind.True,
            renewal.ValueKind == JsonValueKind.Object ? Number(renewal, "errors") : 0,
            last.ValueKind == JsonValueKind.Object ? Number(last, "status") : 0,
            last.ValueKind == JsonValueKind.Object ? Text(last, "problem") : null,
            last.ValueKind == JsonValueKind.Object ? Text(last, "detail") : null,
            renewal.ValueKind == JsonValueKind.Object ? Time(renewal, "next-run") : null,
            Time(md, "renew-at"),
            renewal.ValueKind == JsonValueKind.Object ? Time(renewal, "last-run") : null,
            !md.TryGetProperty("watched", out var watched) || watched.ValueKind != JsonValueKind.False,
            last.ValueKind == JsonValueKind.Object ? Text(last, "status-description") : null);
    }

    /// <summary>A "cert" object: its validity, and per key type ({"rsa": {"serial": ...}}) the serial; null when it is empty.</summary>
    private static MdCertificate? ReadCertificate(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var cert) || cert.ValueKind != JsonValueKind.Object) return null;
        var keyed = cert.EnumerateObject().Select(p => p.Value).FirstOrDefault(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("serial", out _));
        var holder = cert.TryGetProperty("serial", out _) ? cert : keyed;
        var valid = cert.TryGetProperty("valid", out var v) && v.ValueKind == JsonValueKind.Object ? v
            : holder.ValueKind == JsonValueKind.Object && holder.TryGetProperty("valid", out var kv) ? kv : default;
        if (holder.ValueKind != JsonValueKind.Object && valid.ValueKind != JsonValueKind.Object) return null;
        return new MdCertificate(holder.ValueKind == JsonValueKind.Object ? Text(holder, "serial") : null,
            valid.ValueKind == JsonValueKind.Object ? Time(valid, "from") : null,
            valid.ValueKind == JsonValueKind.Object ? Time(valid, "until") : null);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : 0;

    /// <summary>mod_md writes times as RFC 1123 ("Wed, 02 Dec 2026 10:00:00 GMT").</summary>
    private static DateTimeOffset? Time(JsonElement element, string name) =>
        Text(element, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}

/// <summary>Why mod_md has no certificate, in words a person acts on: the CA's own reason, and the fix.</summary>
public sealed record AcmeFailure(string Reason, string Cause, string Fix);

/// <summary>
/// What setup and the doctor ask of a certificate mod_md manages: its status (from md-status on
/// this machine), the certificate Apache serves, and the CA's reason for a failure (from the
/// status and Apache's error log).
/// </summary>
public static partial class ManagedCertificate
{
    /// <summary>md-status for the domain, asked of Apache on this machine; null when Apache does not answer it.</summary>
    public static async Task<MdStatus?> StatusAsync(string domain, CancellationToken cancellationToken)
    {
        using var client = LocalApache.Client(acceptAnyCertificate: true, TimeSpan.FromSeconds(10));
        try
        {
            // By address, not by name: until mod_md has a certificate, it answers every request
            // for the name with 503.
            using var response = await client.GetAsync($"https://127.0.0.1{AcmeSettings.StatusPath}/{domain}", cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK) return null;
            return MdStatus.Parse(await response.Content.ReadAsStringAsync(cancellationToken), domain);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The certificate Apache serves for the domain on this machine's port 443; null when none answers.</summary>
    public static async Task<X509Certificate2?> ServedAsync(string domain, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, 443, timeout.Token);
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = domain }, timeout.Token);
            return tls.RemoteCertificate is { } served ? new X509Certificate2(served) : null;
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException
                                   or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>mod_md's stand-in until it has a certificate: browsers refuse it, and Apache answers 503 with it.</summary>
    public static bool IsFallback(X509Certificate2 certificate) =>
        certificate.Issuer.Contains("Managed Domain Fallback", StringComparison.OrdinalIgnoreCase)
        || certificate.Subject.Contains("Managed Domain Fallback", StringComparison.OrdinalIgnoreCase);

    /// <summary>The serial as md-status writes it (upper-case hex, no leading zeros) and as .NET reads it.</summary>
    public static bool SameSerial(X509Certificate2 certificate, string? serial) =>
        serial is not null && string.Equals(certificate.SerialNumber.TrimStart('0'), serial.TrimStart('0'), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The CA's reason for the last failure, with the cause and the fix: md-status's detail, and
    /// for a failed challenge the CA's own words, which only Apache's error log has.
    /// </summary>
    public static AcmeFailure Explain(MdStatus status, IEnumerable<string> errorLog, string domain, AcmeSettings acme)
    {
        var detail = status.LastDetail ?? "no reason given";
        if (detail.Contains("terms-of-service", StringComparison.OrdinalIgnoreCase) || status.LastProblem?.EndsWith(":userActionRequired", StringComparison.Ordinal) == true)
            return new AcmeFailure($"the certificate authority requires its terms of service to be accepted ({Shorten(detail)})",
                "Apache's site does not say MDCertificateAgreement accepted (it was edited, or another file overrides it)",
                $"run setup again with --tls acme, which accepts the CA's terms of service (read them at {acme.Ca})");
        if (status.LastStatus is 111 or 20014 || detail.Contains("contacting ACME server", StringComparison.OrdinalIgnoreCase))
            return new AcmeFailure($"mod_md could not reach the certificate authority at {acme.Ca} ({status.LastStatusText ?? $"error {status.LastStatus}"})",
                "the certificate authority is down, the URL is wrong, outgoing HTTPS from this server is blocked, or the CA's API certificate is not trusted",
                $"check from this server: curl -sS {(acme.CaRoot is null ? "" : $"--cacert {acme.CaRoot} ")}{acme.Ca}; then fix --acme-ca, --acme-ca-root or the outgoing firewall and run setup again");

        // The challenge's error is in the error log's "challenge 'invalid'" line for this domain.
        var challenge = errorLog.LastOrDefault(l => l.Contains("challenge 'invalid' for " + domain + " ", StringComparison.Ordinal));
        var refused = challenge is not null ? ChallengeError().Match(challenge) : Match.Empty;
        var type = refused.Success ? refused.Groups[1].Value : status.LastProblem;
        var said = refused.Success ? refused.Groups[2].Value.Replace("\\\\\"", "\"", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal) : detail;
        var reason = $"the certificate authority said: {said}{(type is null ? "" : $" ({type})")}";
        if (type?.EndsWith(":rateLimited", StringComparison.Ordinal) == true)
            return new AcmeFailure(reason, "the certificate authority refuses more certificates for this name for now",
                "wait until the limit it names has passed (mod_md tries again by itself); to experiment, use the CA's staging directory with --acme-ca");
        if (type?.EndsWith(":dns", StringComparison.Ordinal) == true || said.Contains("NXDOMAIN", StringComparison.Ordinal) || said.Contains("no valid A records", StringComparison.OrdinalIgnoreCase))
            return new AcmeFailure(reason, $"the certificate authority cannot find {domain} in DNS",
                $"give {domain} an A (and AAAA) record with this server's public address, wait until `dig +short {domain}` shows it, then run setup again");
        if (refused.Success || detail.Contains("validated", StringComparison.OrdinalIgnoreCase))
        {
            var port = acme.Challenge == AcmeSettings.TlsAlpn01 ? "443" : "80";
            return new AcmeFailure(reason, $"the certificate authority could not check this server for {domain} with {acme.Challenge} on port {port}",
                $"point {domain}'s DNS at this server and open port {port}/tcp to everyone (the firewall, any cloud security group, the router), then run setup again");
        }
        return new AcmeFailure(reason, "mod_md did not get a certificate", $"read the [md:...] lines of Apache's error log, fix what they name, and run setup again");
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";

    /// <summary>The CA's error in a challenge's exact response: "error":{"type":"urn:...","detail":"...","status":400}.</summary>
    [GeneratedRegex("\"error\":\\{\"type\":\"([^\"]+)\",\"detail\":\"(.*?)\",\"status\"")]
    private static partial Regex ChallengeError();
}
