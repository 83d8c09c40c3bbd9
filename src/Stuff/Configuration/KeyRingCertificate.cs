using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stuff.Configuration;

/// <summary>
/// The certificate that encrypts the data-protection keys at rest (STUFF_KEYS_CERTIFICATE): a PEM
/// file holding an RSA certificate and its private key. Where the key ring lives in the database,
/// whoever can read the database could otherwise take the keys and forge login cookies; with
/// it they need this file too. Every app host that shares the key ring needs the same file.
/// </summary>
public static class KeyRingCertificate
{
    public const string Setting = "STUFF_KEYS_CERTIFICATE";

    /// <summary>The command that makes one (a self-signed certificate is all it needs: nothing checks its issuer).</summary>
    public static string MakeCommand(string path) =>
        $"openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj /CN=stuff-keys -keyout {path} -out {path}.crt && cat {path}.crt >> {path} && rm {path}.crt && chmod 0640 {path}";

    /// <summary>A self-signed certificate with a fresh 3072-bit RSA key, as one PEM text; only its key matters, so ten years.</summary>
    public static string Create(string subject = "CN=stuff-keys")
    {
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(10));
        return rsa.ExportPkcs8PrivateKeyPem() + "\n" + certificate.ExportCertificatePem() + "\n";
    }

    /// <summary>The certificate with its private key from the file, or why the file cannot be one.</summary>
    public static bool TryLoad(string path, out X509Certificate2? certificate, out string? problem)
    {
        certificate = null;
        try
        {
            return TryParse(File.ReadAllText(path), path, out certificate, out problem);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = $"{Setting}: {path} does not exist.";
        }
        catch (UnauthorizedAccessException)
        {
            problem = $"{Setting}: {path} cannot be read by this user.";
        }
        catch (IOException e)
        {
            problem = $"{Setting}: {path} cannot be read ({e.Message.TrimEnd('.')}).";
        }
        return false;
    }

    /// <summary>The certificate with its private key from PEM text (<paramref name="source"/> names it in the problem), or why the text is not one.</summary>
    public static bool TryParse(string pem, string source, out X509Certificate2? certificate, out string? problem)
    {
        certificate = null;
        problem = null;
        try
        {
            // The certificate and its key from the same text.
            var loaded = X509Certificate2.CreateFromPem(pem, pem);
            if (loaded.GetRSAPrivateKey() is null)
            {
                loaded.Dispose();
                problem = $"{Setting}: {source} holds no RSA private key (the key ring is encrypted with RSA).";
                return false;
            }
            certificate = loaded;
            return true;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            problem = $"{Setting}: {source} is not a PEM file with a certificate and its private key ({e.Message.TrimEnd('.')}).";
            return false;
        }
    }
}
