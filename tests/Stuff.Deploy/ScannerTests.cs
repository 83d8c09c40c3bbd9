using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Stuff.Deploy.Machines;
using Stuff.Hosting;

namespace Stuff.Deploy;

/// <summary>
/// What scanners nobody here wrote see of a set-up server, run from the host in the machine's
/// network with the site's certificate trusted: the MDN HTTP Observatory's grades, testssl.sh's
/// findings, and the same promises asked directly (the security headers on everything Apache
/// answers, the domain's root, unknown names, no version anywhere).
/// </summary>
[Collection(SecondLane.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed partial class ScannerTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    private const string Certificate = "/etc/ssl/certs/stuff.crt";
    private static readonly string[] HeaderNames = ["Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"];

    private ServerMachine Machine => server.Machine;

    /// <summary>The scanner ./test.sh installed (npm ci of tests/Stuff.Deploy/Scanners).</summary>
    private static string Observatory =>
        Environment.GetEnvironmentVariable("STUFF_TEST_OBSERVATORY") is { Length: > 0 } path && Directory.Exists(path)
            ? path
            : throw new InvalidOperationException("STUFF_TEST_OBSERVATORY is not set: ./test.sh installs the MDN HTTP Observatory scanner and sets it");

    [MachineTheory]
    [InlineData("localhost")]
    [InlineData("localhost/stuff/")]
    [InlineData("localhost/stuff/account/login")]
    public async Task The_http_observatory_grades_the_root_the_list_and_the_login_page_a_plus(string target)
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        // The scanner takes a host name; what follows it is the path it asks for.
        var scan = await Processes.RunAsync("nsenter", ["-t", Machine.InitPid.ToString(), "-n",
            "env", $"NODE_EXTRA_CA_CERTS={Machine.At(Certificate)}", "node", Path.Combine(Observatory, "src", "scan.js"), target], within: TimeSpan.FromMinutes(2));
        Assert.True(scan.ExitCode == 0, scan.ToString());

        using var result = JsonDocument.Parse(scan.Output);
        var grade = result.RootElement.GetProperty("scan").GetProperty("grade").GetString();
        var failed = result.RootElement.GetProperty("tests").EnumerateObject()
            .Where(t => t.Value.TryGetProperty("pass", out var pass) && pass.ValueKind == JsonValueKind.False)
            .Select(t => $"{t.Name}: {t.Value.GetProperty("result").GetString()}");
        Assert.True(grade == "A+", $"{target}: {grade} ({result.RootElement.GetProperty("scan").GetProperty("score")}); failed: {string.Join(", ", failed)}");
    }

    [MachineFact]
    public async Task Testssl_finds_nothing_of_medium_severity_but_the_self_signed_trust_and_only_tls_1_2_and_1_3()
    {
        var report = Path.Combine(Path.GetTempPath(), $"testssl-{Guid.NewGuid():N}.json");
        try
        {
            // No DNS in the machine's network: the host's own name only, and one address.
            var run = await Processes.RunAsync("nsenter", ["-t", Machine.InitPid.ToString(), "-n",
                "testssl", "--quiet", "--color", "0", "--warnings", "batch", "--nodns", "min", "--ip", "one", "--jsonfile", report, "localhost:443"], within: TimeSpan.FromMinutes(8));
            Assert.True(File.Exists(report), run.ToString());
            using var findings = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var all = findings.RootElement.EnumerateArray()
                .Select(f => (Id: f.GetProperty("id").GetString()!, Severity: f.GetProperty("severity").GetString()!, Finding: f.GetProperty("finding").GetString()!))
                .ToList();

            var serious = all.Where(f => f.Severity is "MEDIUM" or "HIGH" or "CRITICAL" && !TrustOfASelfSignedCertificate(f.Id, f.Finding)).ToList();
            Assert.True(serious.Count == 0, string.Join('\n', serious.Select(f => $"{f.Severity} {f.Id}: {f.Finding}")));
            string Protocol(string id) => Assert.Single(all, f => f.Id == id).Finding;
            foreach (var old in new[] { "SSLv2", "SSLv3", "TLS1", "TLS1_1" }) Assert.StartsWith("not offered", Protocol(old));
            foreach (var current in new[] { "TLS1_2", "TLS1_3" }) Assert.StartsWith("offered", Protocol(current));
        }
        finally
        {
            File.Delete(report);
        }
    }

    /// <summary>
    /// What testssl.sh says of any self-signed certificate, whatever the server does: no CA it
    /// knows vouches for it, and no CA publishes its revocation (CRL or OCSP).
    /// </summary>
    private static bool TrustOfASelfSignedCertificate(string id, string finding) =>
        id.StartsWith("cert_chain_of_trust", StringComparison.Ordinal)
        || (id.StartsWith("cert_caIssuers", StringComparison.Ordinal) && finding == "selfsigned")
        || (id.StartsWith("cert_revocation", StringComparison.Ordinal) && finding == "Neither CRL nor OCSP URI provided");

    [MachineFact]
    public async Task Everything_apache_answers_carries_the_headers_once_and_names_no_version()
    {
        using var client = Machine.Client();
        var answers = new Dictionary<string, HttpResponseMessage>
        {
            ["the list"] = await client.GetAsync(SetUpServer.Site),
            ["the domain's root"] = await client.GetAsync("https://localhost/"),
            ["a path outside the site"] = await client.GetAsync("https://localhost/nothing-here"),
            ["a static file"] = await client.GetAsync(SetUpServer.Site + "static/css/site.css"),
            ["a missing static file"] = await client.GetAsync(SetUpServer.Site + "static/missing.css"),
            ["the redirect to https"] = await client.GetAsync("http://localhost/stuff/"),
            ["the favicon"] = await client.GetAsync("https://localhost/favicon.ico"),
        };
        try
        {
            Assert.Equal(HttpStatusCode.OK, answers["the list"].StatusCode);
            Assert.Equal(HttpStatusCode.Found, answers["the domain's root"].StatusCode);
            Assert.Equal("https://localhost/stuff/", answers["the domain's root"].Headers.Location!.ToString());
            Assert.Equal(HttpStatusCode.NotFound, answers["a path outside the site"].StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, answers["a missing static file"].StatusCode);
            Assert.Equal(HttpStatusCode.OK, answers["the favicon"].StatusCode);
            // Apache serves it from disk and names the type as IANA registered it.
            Assert.Equal("image/vnd.microsoft.icon", answers["the favicon"].Content.Headers.ContentType?.MediaType);
            foreach (var (what, response) in answers)
            {
                foreach (var header in HeaderNames) Assert.True(Values(response, header).Count == 1, $"{what}: {header} is {string.Join(" | ", Values(response, header))}");
                Assert.Equal(SecurityHeaders.ContentSecurityPolicy, Values(response, "Content-Security-Policy").Single());
                Assert.Equal(["Apache"], Values(response, "Server"));
                var body = await response.Content.ReadAsStringAsync();
                Assert.DoesNotContain("Apache/2", body);
                Assert.DoesNotContain("Debian", body);
                if (response.RequestMessage!.RequestUri!.Scheme == "https")
                    Assert.Equal([SecurityHeaders.StrictTransportSecurity], Values(response, "Strict-Transport-Security"));
            }

            var robots = await client.GetAsync("https://localhost/robots.txt");
            Assert.Equal(HttpStatusCode.OK, robots.StatusCode);
            Assert.Contains("User-agent: *", await robots.Content.ReadAsStringAsync());
        }
        finally
        {
            foreach (var response in answers.Values) response.Dispose();
        }
    }

    [MachineFact]
    public async Task A_name_no_site_serves_gets_a_plain_404_and_no_welcome_page()
    {
        using var client = Machine.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://localhost/");
        request.Headers.Host = "some-other-name.example";
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Apache2 Debian Default Page", body);
        Assert.DoesNotContain("Apache/2", body);
        Assert.Equal(["Apache"], Values(response, "Server"));
        Assert.False(File.Exists(Machine.At("/etc/apache2/sites-enabled/000-default.conf")));

        using var trace = new HttpRequestMessage(HttpMethod.Trace, SetUpServer.Site);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await client.SendAsync(trace)).StatusCode);
    }

    [MachineFact]
    public async Task Pages_with_a_form_are_not_compressed_and_static_files_come_precompressed()
    {
        using var client = Machine.Client();
        string? stylesheet = null;
        foreach (var page in new[] { SetUpServer.Site, SetUpServer.Site + "account/login" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, page);
            request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(response.Content.Headers.ContentEncoding);
            stylesheet ??= StylesheetLink().Match(await response.Content.ReadAsStringAsync()).Groups[1].Value;
        }

        // The page's own (fingerprinted) link and the plain name: the release's Brotli or gzip
        // copy to a client that accepts it, the file itself to one that does not, the same bytes.
        Assert.Matches(@"/static/css/site\.[a-z0-9]{10}\.css$", stylesheet);
        foreach (var url in new[] { "https://localhost" + stylesheet, SetUpServer.Site + "static/css/site.css" })
        {
            var plain = await StaticAsync(client, url, null);
            Assert.Empty(plain.Encoding);
            foreach (var (accept, encoding) in new[] { ("br, gzip", "br"), ("gzip", "gzip") })
            {
                var compressed = await StaticAsync(client, url, accept);
                Assert.Equal([encoding], compressed.Encoding);
                Assert.Equal("text/css", compressed.Type);
                Assert.Contains("Accept-Encoding", compressed.Vary);
                Assert.True(compressed.Body.Length < plain.Body.Length, $"{url} {encoding}: {compressed.Body.Length} bytes, plain {plain.Body.Length}");
                Assert.Equal(plain.Body, Decompress(compressed.Body, encoding));
            }
        }
    }

    [MachineFact]
    public async Task Browsers_get_http_2_and_other_clients_http_1_1()
    {
        foreach (var (flag, version) in new[] { ("--http2", "2"), ("--http1.1", "1.1") })
        {
            var curl = await Processes.RunAsync("nsenter", ["-t", Machine.InitPid.ToString(), "-n",
                "curl", "-sS", "--cacert", Machine.At(Certificate), flag, "-o", "/dev/null", "-w", "%{http_version} %{http_code}", SetUpServer.Site]);
            Assert.True(curl.ExitCode == 0, curl.ToString());
            Assert.Equal($"{version} 200", curl.Output.Trim());
        }
    }

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"(/[^\"]+?\\.css)\"")]
    private static partial Regex StylesheetLink();

    private static async Task<(byte[] Body, List<string> Encoding, string? Type, List<string> Vary)> StaticAsync(HttpClient client, string url, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null) request.Headers.AcceptEncoding.ParseAdd(accept);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsByteArrayAsync(), [.. response.Content.Headers.ContentEncoding],
            response.Content.Headers.ContentType?.MediaType, Values(response, "Vary").SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).ToList());
    }

    private static byte[] Decompress(byte[] body, string encoding)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding == "br" ? new System.IO.Compression.BrotliStream(input, System.IO.Compression.CompressionMode.Decompress) : new System.IO.Compression.GZipStream(input, System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    [MachineFact]
    public async Task The_self_signed_certificate_is_a_server_leaf_valid_for_at_most_397_days()
    {
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Machine.At(Certificate)));
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(certificate.MatchesHostname(SetUpServer.Domain));
        Assert.InRange((certificate.NotAfter - certificate.NotBefore).TotalDays, 396, 397);
        // Apache no longer warns of a CA certificate at its start.
        var log = await File.ReadAllTextAsync(Machine.At("/var/log/apache2/error.log"));
        Assert.DoesNotContain("server certificate is a CA certificate", log);
    }

    private static List<string> Values(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? [.. values]
        : response.Content.Headers.TryGetValues(name, out var content) ? [.. content] : [];
}
