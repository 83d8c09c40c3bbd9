using System.Security.Cryptography.X509Certificates;
using Stuff.Setup;

namespace Stuff.Tests.Setup;

/// <summary>The self-signed certificate setup makes, made here by openssl with setup's own arguments.</summary>
public sealed class SelfSignedCertificateTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("stuff-cert-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task It_is_a_server_leaf_for_the_domain_valid_for_at_most_397_days()
    {
        var key = Path.Combine(_work.FullName, "stuff.key");
        var file = Path.Combine(_work.FullName, "stuff.crt");

        var made = await Processes.RunAsync("openssl", [.. TlsStep.SelfSigned("shop.example.org", key, file)]);
        Assert.True(made.ExitCode == 0, made.ToString());

        using var certificate = X509Certificate2.CreateFromPemFile(file, key);
        Assert.True(certificate.MatchesHostname("shop.example.org"));
        Assert.False(certificate.MatchesHostname("other.example.org"));
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.False(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, usage.KeyUsages);
        var purposes = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages;
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], purposes.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.InRange((certificate.NotAfter - certificate.NotBefore).TotalDays, 396, 397);
    }
}
