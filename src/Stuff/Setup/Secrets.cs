using System.Security.Cryptography;
using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// /etc/stuff/stuff.env: the app's settings and its database password. The password is made
/// on the first run and read back on every later one, so re-running setup keeps it.
/// </summary>
public static class Secrets
{
    public static string? ExistingPassword(Layout layout)
    {
        if (!File.Exists(layout.EnvFile)) return null;
        try
        {
            var values = EnvFile.Read(layout.EnvFile);
            if (values.GetValueOrDefault("DATABASE_URL") is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
                && uri.UserInfo.Split(':', 2) is [_, var password] && password.Length > 0)
                return Uri.UnescapeDataString(password);
        }
        catch (UserFacingException)
        {
            // An unreadable or unsafe file is rewritten with a fresh password below.
        }
        return null;
    }

    public static string Password(Layout layout) => ExistingPassword(layout) ?? (_generated ??= NewPassword());

    /// <summary>A fresh random password of 256 bits, in characters that need no quoting in a URL or an env file.</summary>
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    private static string? _generated;

    public static FileSpec EnvFileSpec(SetupContext context) =>
        Templates.EnvFile(context, Password(context.Layout), "<generated on the first run, kept after>");

    /// <summary>
    /// With app hosts elsewhere the key ring is shared in the database, encrypted with a
    /// certificate of the site's own (/etc/stuff/keys.pem, 0640 root:stuff), made on the first run
    /// and kept after: every app host needs the same file.
    /// </summary>
    public static IEnumerable<FileSpec> KeyRingSpecs(SetupContext context)
    {
        if (context.Settings.AppHosts.Count == 0) yield break;
        var path = context.Layout.KeysCertificateFile;
        yield return new FileSpec(path, "root", Layout.ServiceUser, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
            ExistingKeyRing(path) ?? (_keyRing ??= NewKeyRing()), $"<a certificate and RSA key made on the first run, kept after; copy it to every app host>");
    }

    private static string? ExistingKeyRing(string path)
    {
        try
        {
            if (!File.Exists(path) || !KeyRingCertificate.TryLoad(path, out var certificate, out _)) return null;
            certificate!.Dispose();
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A self-signed certificate with a fresh 3072-bit RSA key, as one PEM text; only its key matters, so ten years.</summary>
    public static string NewKeyRing()
    {
        using var rsa = RSA.Create(3072);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=stuff-keys", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(10));
        return rsa.ExportPkcs8PrivateKeyPem() + "\n" + certificate.ExportCertificatePem() + "\n";
    }

    private static string? _keyRing;
}
