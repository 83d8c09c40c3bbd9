using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Stuff.Deploy.Machines;

/// <summary>
/// pebble, Let's Encrypt's ACME test server (Debian's package, on the host), run in a machine's
/// network only: its API at https://127.0.0.1:14000/dir is on the machine's loopback, and it
/// validates challenges by connecting to the name asked for (localhost: the machine's Apache).
/// Its API is served with a certificate from a CA made here (<see cref="ApiRoot"/>, in the
/// machine for --acme-ca-root); the certificates it issues chain to a root it makes anew at start.
/// </summary>
public sealed class Pebble : IAsyncDisposable
{
    public const string Program = "/usr/bin/pebble";
    public const string Directory = "https://127.0.0.1:14000/dir";

    /// <summary>The root of pebble's API certificate, in the machine.</summary>
    public const string ApiRoot = "/root/pebble/api-root.pem";

    private readonly ServerMachine _machine;
    private readonly Process _process;
    private readonly string _log;

    private Pebble(ServerMachine machine, Process process, string log)
    {
        _machine = machine;
        _process = process;
        _log = log;
    }

    /// <summary>What pebble printed so far.</summary>
    public string Log => File.Exists(_log) ? File.ReadAllText(_log) : "";

    /// <summary>The API's certificates, without pebble: a CA that is not up, for --acme-ca-root.</summary>
    public static void WriteApiCertificates(ServerMachine machine)
    {
        var directory = machine.At("/root/pebble");
        if (File.Exists(Path.Combine(directory, "api.pem"))) return;
        System.IO.Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Stuff tests' ACME API root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var root = rootRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(2));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var api = request.Create(root, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(12));

        File.WriteAllText(machine.At(ApiRoot), root.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, "api.pem"), api.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, "api.key"), key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>
    /// Starts pebble in the machine's network and waits until its directory answers. It validates
    /// http-01 on <paramref name="httpPort"/> (80: the machine's Apache); its certificates are
    /// valid for <paramref name="validity"/> (pebble's default: five years).
    /// </summary>
    public static async Task<Pebble> StartAsync(ServerMachine machine, TimeSpan? validity = null, int httpPort = 80)
    {
        Assert.True(File.Exists(Program), $"{Program} is missing: ./test.sh installs pebble as root");
        WriteApiCertificates(machine);
        var directory = machine.At("/root/pebble");
        var settings = new Dictionary<string, object>
        {
            ["listenAddress"] = "127.0.0.1:14000",
            ["managementListenAddress"] = "127.0.0.1:15000",
            ["certificate"] = Path.Combine(directory, "api.pem"),
            ["privateKey"] = Path.Combine(directory, "api.key"),
            ["httpPort"] = httpPort,
            ["tlsPort"] = 443,
            ["ocspResponderURL"] = "",
            ["externalAccountBindingRequired"] = false,
        };
        if (validity is { } period) settings["certificateValidityPeriod"] = (long)period.TotalSeconds;
        var config = Path.Combine(directory, "config.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object> { ["pebble"] = settings }));

        var log = Path.Combine(directory, $"pebble-{Guid.NewGuid():N}.log");
        // No sleeps before validating, and no nonces refused at random: the test is about Stuff, not about retries.
        var process = machine.StartInNetwork($"env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 {Program} -config {config}", log);
        var pebble = new Pebble(machine, process, log);
        try
        {
            await machine.InNetworkAsync(
                $"for i in $(seq 100); do curl -fsS -o /dev/null --cacert {machine.At(ApiRoot)} {Directory} && exit 0; sleep 0.1; done; exit 1");
        }
        catch
        {
            await pebble.DisposeAsync();
            throw new InvalidOperationException($"pebble did not start: {pebble.Log}");
        }
        return pebble;
    }

    /// <summary>The root pebble's certificates chain to (made at its start).</summary>
    public async Task<X509Certificate2> IssuingRootAsync()
    {
        var file = Path.Combine(_machine.At("/root/pebble"), $"issuing-root-{Guid.NewGuid():N}.pem");
        await _machine.InNetworkAsync($"curl -fsS --cacert {_machine.At(ApiRoot)} -o {file} https://127.0.0.1:15000/roots/0");
        var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(file));
        File.Delete(file);
        return root;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
