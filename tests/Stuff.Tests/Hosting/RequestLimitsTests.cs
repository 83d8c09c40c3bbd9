using System.Net;
using System.Text;
using Stuff.Configuration;
using Stuff.Hosting;
using Stuff.Tests.Cli;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

/// <summary>
/// The limits Kestrel enforces for `stuff serve` (the test host has none, so this runs the real
/// server): a body over <see cref="StuffHost.MaxRequestBodyBytes"/> is refused with the site's
/// own page (413 when its length is declared, 400 when Kestrel stops a chunked one at the limit),
/// one under it is read as usual.
/// </summary>
public sealed class RequestLimitsTests() : CliTests(DatabaseProvider.Sqlite)
{
    private static HttpClient Client(string address) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(address + "/"),
        };

    /// <summary>A login form of exactly this many bytes, with its length declared, or sent in chunks without one.</summary>
    private static async Task<HttpResponseMessage> LoginWithPaddingAsync(HttpClient client, int bytes, bool chunked = false)
    {
        var form = await client.GetStringAsync("account/login");
        var head = $"__RequestVerificationToken={Uri.EscapeDataString(Forms.Token(form))}&Form.Username=admin&Form.Password=";
        var body = Encoding.ASCII.GetBytes(head + new string('x', bytes - head.Length));
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, "account/login") { Content = content };
        if (chunked) request.Headers.TransferEncodingChunked = true;
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_the_sites_page_and_one_under_it_is_read()
    {
        await MigratedAsync();
        await using var server = await ServedSite.StartAsync(Stuff);
        using var client = Client(server.Address);

        using var over = await LoginWithPaddingAsync(client, (int)StuffHost.MaxRequestBodyBytes + 1);
        var page = await over.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Contains("larger than the site accepts", page);
        Assert.DoesNotContain("Exception", page);

        // Sent in chunks, the length is unknown until Kestrel has read past the limit and stops:
        // a bad request, with the site's page.
        using var chunked = await LoginWithPaddingAsync(client, (int)StuffHost.MaxRequestBodyBytes + 1, chunked: true);
        Assert.Equal(HttpStatusCode.BadRequest, chunked.StatusCode);
        Assert.DoesNotContain("Exception", await chunked.Content.ReadAsStringAsync());

        // Just under the limit: read in full, so the login fails as any wrong password does.
        using var under = await LoginWithPaddingAsync(client, (int)StuffHost.MaxRequestBodyBytes - 1024);
        Assert.Equal(HttpStatusCode.OK, under.StatusCode);
        Assert.Contains("Your username and password didn", await under.Content.ReadAsStringAsync());

        await server.StopAsync();
        Assert.DoesNotContain("   at ", await server.Logs);
    }
}
