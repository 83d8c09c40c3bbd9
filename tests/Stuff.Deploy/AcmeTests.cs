using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>
/// `stuff setup --tls acme` against pebble (a real ACME server) on a set-up server's loopback,
/// as a site's owner meets it: a CA that is down and a challenge that cannot reach port 80 stop
/// setup with the CA's reason and the fix, and the doctor names those and terms not accepted;
/// then a certificate is issued, renewed by itself under
/// load and served without a failed request; the site switches back to self-signed and to acme
/// again, and a second run has nothing to change.
/// </summary>
[Collection(SecondLane.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class AcmeTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private static readonly string[] Acme = ["--tls", "acme", "--acme-ca", Pebble.Directory, "--acme-ca-root", Pebble.ApiRoot, "--email", "admin@example.org"];

    private ServerMachine Machine => server.Machine;
    private Deployment Site => new(server.Machine);

    private Task<CliResult> SetupAsync(params string[] tls) => Machine.RunAsync([Deployment.Installed, "setup", "--domain", SetUpServer.Domain, .. tls]);

    [MachineFact]
    public async Task Certificates_come_from_the_ca_renew_by_themselves_and_a_refusal_names_its_reason()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        Pebble.WriteApiCertificates(Machine);

        // The CA is down: setup stops with mod_md's reason and what to try; so does the doctor.
        var down = await SetupAsync(Acme);
        Assert.True(down.ExitCode == 1, down.ToString());
        Assert.Contains("Certificate from the CA ... FAILED", down.Output);
        Says(down, "could not reach the certificate authority at https://127.0.0.1:14000/dir");
        Says(down, "curl -sS --cacert /root/pebble/api-root.pem https://127.0.0.1:14000/dir");
        Assert.DoesNotContain("   at ", down.Error);
        var (_, findings) = await Site.DoctorAsync();
        Assert.True(findings["tls"].Verdict == "failed", findings["tls"].ToString());
        Assert.Contains("could not reach the certificate authority", findings["tls"].Summary);

        // The CA is up but cannot reach port 80 (it validates on a port nothing listens on): its own words.
        await using (await Pebble.StartAsync(Machine, httpPort: 8080))
        {
            var refused = await SetupAsync(Acme);
            Assert.True(refused.ExitCode == 1, refused.ToString());
            Says(refused, "connect: connection refused (urn:ietf:params:acme:error:connection)");
            Says(refused, "open port 80/tcp to everyone");
            (_, findings) = await Site.DoctorAsync();
            Assert.Contains("urn:ietf:params:acme:error:connection", findings["tls"].Summary);
        }

        // 60-second certificates, looked at every 5 s: issued, then renewed and served by themselves.
        await using (var pebble = await Pebble.StartAsync(Machine, validity: TimeSpan.FromSeconds(60)))
        {
            // Setup accepts the CA's terms for --tls acme; an edit that drops the acceptance is refused
            // by the CA, and the doctor names it with the fix.
            // The order mod_md began with the previous pebble stays in its staging area, and this
            // pebble knows neither it nor its account; mod_md purges staging only after an attempt
            // that it counted as failed, which depends on timing. Purged here, the restart's first
            // attempt is a fresh one, with the new settings.
            await Machine.ShAsync("sed -i '/MDCertificateAgreement/d' /etc/apache2/sites-available/stuff.conf && rm -rf /etc/apache2/md/staging/localhost && systemctl restart apache2");
            Diagnosis terms = null!;
            try
            {
                await Eventually.HoldsAsync(async () =>
                {
                    (_, findings) = await Site.DoctorAsync();
                    terms = findings["tls"];
                    return terms.Summary.Contains("terms of service", StringComparison.Ordinal);
                }, TimeSpan.FromSeconds(60), "the doctor naming the CA's terms");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message} It said: {terms}\n{await Machine.ShAsync("tail -n 15 /var/log/apache2/error.log")}", e);
            }
            Assert.True(terms.Verdict == "failed", terms.ToString());
            Assert.Contains("run setup again with --tls acme", terms.Fix ?? "");

            var issued = await SetupAsync([.. Acme, "--acme-check-interval", "5"]);
            Assert.True(issued.ExitCode == 0, issued.ToString());
            Assert.Contains("Certificate from the CA ... changed", issued.Output);
            var first = await ServedAsync();
            Assert.True(await ChainsToAsync(await pebble.IssuingRootAsync()), "the site's chain does not lead to pebble's root");

            var failures = new List<string>();
            var answered = 0;
            using var client = Machine.Client();
            X509Certificate2? renewed = null;
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (renewed is null && DateTime.UtcNow < deadline)
            {
                try
                {
                    using var response = await client.GetAsync(SetUpServer.Site);
                    if (response.StatusCode == HttpStatusCode.OK) answered++;
                    else failures.Add(((int)response.StatusCode).ToString());
                }
                catch (HttpRequestException e)
                {
                    failures.Add(e.Message);
                }
                using var now = await ServedAsync();
                if (now.SerialNumber != first.SerialNumber) renewed = new X509Certificate2(now);
            }
            Assert.True(renewed is not null, $"no renewed certificate was served within 120 s; pebble:\n{pebble.Log}");
            Assert.True(failures.Count == 0, $"{failures.Count} of {failures.Count + answered} requests failed around the renewal: {string.Join(", ", failures.Take(5))}");
            Assert.True(renewed.NotBefore >= first.NotBefore, "the served certificate is older than the first");
            // A certificate with days, not weeks, left fails the doctor, whoever renews it.
            (_, findings) = await Site.DoctorAsync();
            Assert.Contains("expires in 0 day(s)", findings["tls"].Summary);
        }

        // Back to self-signed: the site serves its own certificate and the renewal watch is gone.
        var back = await Site.SetupAsync();
        Assert.True(back.ExitCode == 0, back.ToString());
        using (var own = await ServedAsync()) Assert.Equal(own.Subject, own.Issuer);
        Assert.False(File.Exists(Machine.At("/etc/systemd/system/stuff-acme-reload.path")));
        Assert.Contains("Nothing to change", (await Site.SetupAsync()).Output);

        // And to acme again, from a CA with pebble's usual five-year certificates. mod_md still has
        // the last 60-second one, valid for a few seconds more: it is served, and replaced by one
        // from this CA when it is due, without a step of anyone's.
        await using (var pebble = await Pebble.StartAsync(Machine))
        {
            var again = await SetupAsync([.. Acme, "--acme-check-interval", "5"]);
            Assert.True(again.ExitCode == 0, again.ToString());
            var root = await pebble.IssuingRootAsync();
            await Eventually.HoldsAsync(() => ChainsToAsync(root), TimeSpan.FromSeconds(120), "the site's certificate from the new CA");
            using var served = await ServedAsync();
            Assert.StartsWith("CN=Pebble Intermediate CA", served.Issuer);
            (var exit, findings) = await Site.DoctorAsync();
            Assert.True(exit == 0, string.Join("\n", findings.Values));
            Assert.Matches(@"^for localhost, valid until \d{4}-\d\d-\d\d \(\d+ days\) from Pebble Intermediate CA \w+, managed by mod_md; renewal from ", findings["tls"].Summary);
            var status = await Machine.RunAsync("stuff", "status");
            Assert.Contains("certificate  for localhost, valid until", status.Output);
            // mod_md's status is for this machine only.
            using var client = Machine.Client();
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"https://{SetUpServer.Domain}/.stuff-md-status")).StatusCode);

            var second = await SetupAsync([.. Acme, "--acme-check-interval", "5"]);
            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Contains("Nothing to change", second.Output);
        }
    }

    private static void Says(CliResult result, string text) => Assert.True(result.Error.Contains(text, StringComparison.Ordinal), $"not said: {text}\n{result}");

    /// <summary>The certificate the machine's Apache serves for the site's name.</summary>
    private async Task<X509Certificate2> ServedAsync()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(Machine.Address, 443);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(SetUpServer.Domain);
        return new X509Certificate2(tls.RemoteCertificate!);
    }

    /// <summary>curl, in the machine's network, trusts the site with only this root: the chain Apache sends leads to it.</summary>
    private async Task<bool> ChainsToAsync(X509Certificate2 root)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pebble-root-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(file, root.ExportCertificatePem());
        try
        {
            var curl = await Processes.RunAsync("nsenter", ["-t", Machine.InitPid.ToString(), "-n", "curl", "-fsS", "-o", "/dev/null", "--cacert", file, SetUpServer.Site]);
            return curl.ExitCode == 0;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
