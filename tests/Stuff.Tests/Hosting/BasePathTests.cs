using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

/// <summary>Behind a proxy at /stuff, every link, redirect and asset stays under /stuff.</summary>
[Collection(SqliteCollection.Name)]
public sealed class BasePathTests(SqliteSite site) : SiteTests(site), IDisposable
{
    private readonly WebApplicationFactory<Program> _proxied =
        site.WithWebHostBuilder(b => b.UseSetting("STUFF_BASE_PATH", "/stuff/"));

    public void Dispose() => _proxied.Dispose();

    [Fact]
    public async Task Links_and_assets_carry_the_base_path()
    {
        //#if (sample)
        var item = await Site.AddStuffAsync();
        //#endif
        var client = Site.Client(_proxied);

        var html = await (await client.GetAsync("/stuff/")).BodyAsync();

        Assert.Contains("href=\"/stuff/\"", html);
        //#if (sample)
        Assert.Contains("href=\"/stuff/new\"", html);
        Assert.Contains($"href=\"/stuff/edit/{item.Id}\"", html);
        Assert.Contains($"href=\"/stuff/delete/{item.Id}\"", html);
        //#endif
        Assert.Contains("href=\"/stuff/account/login\"", html);
        var css = System.Text.RegularExpressions.Regex.Match(html, "href=\"(/stuff/static/css/site[^\"]*\\.css)\"");
        Assert.True(css.Success, "The stylesheet link is not under /stuff.");
        var asset = await client.GetAsync(css.Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("text/css", asset.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Login_round_trip_stays_under_the_base_path()
    {
        await Site.CreateUserAsync();
        var client = Site.Client(_proxied);

        var challenge = await client.GetAsync("/stuff/account/password");
        await Forms.AssertRedirectAsync(challenge);
        var login = challenge.Headers.Location!.ToString();
        Assert.StartsWith("https://localhost/stuff/account/login?ReturnUrl=%2Fstuff%2Faccount%2Fpassword", login);

        var response = await Forms.PostAsync(client, login, [new("Form.Username", "alice"), new("Form.Password", SiteFactory.Password)]);
        Assert.Equal("/stuff/account/password", response.Headers.Location!.ToString());

        const string passphrase = "a new passphrase under the base path";
        var saved = await Forms.PostAsync(client, "/stuff/account/password", Forms.PasswordFields(SiteFactory.Password, passphrase));
        Assert.Equal("/stuff/", await Forms.AssertRedirectAsync(saved));
        Assert.Contains("Your password was changed.", await (await client.GetAsync("/stuff/")).BodyAsync());
    }

    [Theory]
    [InlineData("/other-app/")]
    [InlineData("/stuffing")]
    [InlineData("https://evil.example/stuff/")]
    public async Task Login_never_returns_to_a_path_outside_the_base_path(string returnUrl)
    {
        await Site.CreateUserAsync();
        var client = Site.Client(_proxied);

        var response = await Forms.PostAsync(client, "/stuff/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl),
            [new("Form.Username", "alice"), new("Form.Password", SiteFactory.Password)]);

        Assert.Equal("/stuff/", await Forms.AssertRedirectAsync(response));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/new")]
    [InlineData("/stuffing")]
    public async Task Paths_outside_the_base_path_are_not_served(string path)
    {
        var response = await Site.Client(_proxied).GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Health_endpoints_live_under_the_base_path()
    {
        var response = await Site.Client(_proxied).GetAsync("/stuff/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
