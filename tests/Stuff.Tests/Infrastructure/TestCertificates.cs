using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stuff.Tests.Infrastructure;

/// <summary>Certificates the tests make for themselves, as an operator's openssl command would.</summary>
public static class TestCertificates
{
    /// <summary>
    /// A self-signed certificate with its RSA key, as one PEM text (what STUFF_KEYS_CERTIFICATE
    /// names: `openssl req -x509 -newkey rsa:3072 -nodes ...` with the key and certificate in one file).
    /// </summary>
    public static string KeyRingPem(string subject = "CN=stuff-keys")
    {
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        return rsa.ExportPkcs8PrivateKeyPem() + "\n" + certificate.ExportCertificatePem() + "\n";
    }

    /// <summary>Writes <see cref="KeyRingPem"/> to <paramref name="path"/> with mode 0600 and returns the path.</summary>
    public static string WriteKeyRingPem(string path, string subject = "CN=stuff-keys")
    {
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, KeyRingPem(subject));
        return path;
    }
}
