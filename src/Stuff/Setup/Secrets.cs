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
}
