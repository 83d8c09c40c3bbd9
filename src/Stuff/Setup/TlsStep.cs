using System.Security.Cryptography.X509Certificates;

using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// The certificate Apache serves: a self-signed one made here, or the one given, copied into place.
/// With --tls acme there is no file to install: mod_md gets the certificate (<see cref="AcmeCertificateStep"/>).
/// </summary>
public sealed class TlsStep : Step
{
    public override string Name => "TLS certificate";

    public override IEnumerable<string> Describe(SetupContext context)
    {
        var layout = context.Layout;
        if (context.Settings.Acme is { } acme)
            return [$"none to install: Apache's mod_md gets the certificate for {context.Settings.Domain} from {acme.Ca} once the site is in Apache"];
        if (context.Settings.Tls == TlsMode.SelfSigned)
            return [$"run openssl {string.Join(' ', SelfSigned(context.Settings.Domain, layout.KeyFile, layout.CertificateFile))}   (when missing, expiring within 30 days, for another name, or a CA certificate)",
                    $"chmod 0600 {layout.KeyFile}; chmod 0644 {layout.CertificateFile}"];
        return [$"copy {context.Settings.CertificateFile} to {layout.CertificateFile} (root:root 0644)", $"copy {context.Settings.KeyFile} to {layout.KeyFile} (root:root 0600)"];
    }

    /// <summary>How many days a self-signed certificate is valid: browsers refuse longer for certificates from public CAs, and scanners flag it on any.</summary>
    public const int SelfSignedDays = 397;

    /// <summary>
    /// openssl's arguments for a self-signed server certificate for <paramref name="domain"/>: a
    /// leaf (not a CA, for key exchange and signatures, for servers only), named in its
    /// subjectAltName as browsers require.
    /// </summary>
    public static IReadOnlyList<string> SelfSigned(string domain, string keyFile, string certificateFile) =>
    [
        "req", "-x509", "-newkey", "rsa:3072", "-sha256", "-nodes", "-days", SelfSignedDays.ToString(System.Globalization.CultureInfo.InvariantCulture), "-subj", $"/CN={domain}",
        "-addext", $"subjectAltName=DNS:{domain}",
        "-addext", "basicConstraints=critical,CA:FALSE",
        "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
        "-addext", "extendedKeyUsage=serverAuth",
        "-keyout", keyFile, "-out", certificateFile,
    ];

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var layout = context.Layout;
        if (context.Settings.Acme is not null) return Task.FromResult<string?>(null);
        if (!File.Exists(layout.CertificateFile) || !File.Exists(layout.KeyFile)) return Task.FromResult<string?>("no certificate yet");
        if (context.Settings.Tls == TlsMode.Provided)
        {
            var same = File.ReadAllText(context.Settings.CertificateFile!) == File.ReadAllText(layout.CertificateFile)
                && File.ReadAllText(context.Settings.KeyFile!) == File.ReadAllText(layout.KeyFile);
            return Task.FromResult(same ? null : "the given certificate is not the installed one");
        }
        using var certificate = X509Certificate2.CreateFromPemFile(layout.CertificateFile, layout.KeyFile);
        if (certificate.NotAfter < DateTime.Now.AddDays(30)) return Task.FromResult<string?>("the certificate expires within 30 days");
        if (!certificate.MatchesHostname(context.Settings.Domain)) return Task.FromResult<string?>($"the certificate is not for {context.Settings.Domain}");
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(c => c.CertificateAuthority))
            return Task.FromResult<string?>("the certificate is a CA certificate, which Apache warns of at every start");
        return Task.FromResult<string?>(null);
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var layout = context.Layout;
        Directory.CreateDirectory(Path.GetDirectoryName(layout.KeyFile)!);
        Directory.CreateDirectory(Path.GetDirectoryName(layout.CertificateFile)!);
        if (context.Settings.Tls == TlsMode.SelfSigned)
        {
            var domain = context.Settings.Domain;
            await context.Shell.MustAsync("openssl", SelfSigned(domain, layout.KeyFile + ".stuff-new", layout.CertificateFile + ".stuff-new"), cancellationToken);
        }
        else
        {
            using (var check = X509Certificate2.CreateFromPemFile(context.Settings.CertificateFile!, context.Settings.KeyFile!))
            {
                // Loading both proves the key belongs to the certificate before Apache sees them.
            }
            File.Copy(context.Settings.CertificateFile!, layout.CertificateFile + ".stuff-new", overwrite: true);
            File.Copy(context.Settings.KeyFile!, layout.KeyFile + ".stuff-new", overwrite: true);
        }
        File.SetUnixFileMode(layout.KeyFile + ".stuff-new", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(layout.CertificateFile + ".stuff-new", (UnixFileMode)0b110_100_100);
        File.Move(layout.KeyFile + ".stuff-new", layout.KeyFile, overwrite: true);
        File.Move(layout.CertificateFile + ".stuff-new", layout.CertificateFile, overwrite: true);
        context.ApacheReloadNeeded = true;
    }
}
