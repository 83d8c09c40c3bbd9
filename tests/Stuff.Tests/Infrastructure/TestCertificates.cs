using Stuff.Configuration;

namespace Stuff.Tests.Infrastructure;

/// <summary>Key ring certificates the tests make for themselves, written as an operator would.</summary>
public static class TestCertificates
{
    /// <summary>Writes <see cref="KeyRingCertificate.Create"/>'s PEM to <paramref name="path"/> with mode 0600 and returns the path.</summary>
    public static string WriteKeyRingPem(string path, string subject = "CN=stuff-keys")
    {
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, KeyRingCertificate.Create(subject));
        return path;
    }
}
