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
        var path = Layout.KeysCertificateFile;
        yield return new FileSpec(path, "root", Layout.ServiceUser, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
            ExistingKeyRing(path) ?? (_keyRing ??= KeyRingCertificate.Create()), $"<a certificate and RSA key made on the first run, kept after; copy it to every app host>");
    }

    /// <summary>The file's text when it is a usable key ring certificate (read once), else null.</summary>
    private static string? ExistingKeyRing(string path)
    {
        string text;
        try
        {
            if (!File.Exists(path)) return null;
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (!KeyRingCertificate.TryParse(text, path, out var certificate, out _)) return null;
        certificate!.Dispose();
        return text;
    }

    private static string? _keyRing;
}
