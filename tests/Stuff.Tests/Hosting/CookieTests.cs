using Microsoft.AspNetCore.Hosting;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

/// <summary>
/// A site at the root of its own domain names its cookies __Host-… (Secure, path /, no Domain),
/// so a sibling site cannot set or shadow them; under a base path, where browsers refuse that
/// prefix, the names stay plain. Either way they are HttpOnly, SameSite=Lax or Strict, and Secure on HTTPS.
/// </summary>
[Collection(SqliteCollection.Name)]
public sealed class CookieTests(SqliteSite site) : SiteTests(site)
{
    private static IReadOnlyList<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? [.. values] : [];

    [Theory]
    [InlineData("", "__Host-")]
    [InlineData("/stuff", "")]
    public async Task Login_antiforgery_and_message_cookies_are_named_and_flagged_for_where_the_site_lives(string basePath, string prefix)
    {
        await Site.CreateUserAsync();
        using var deployed = Site.WithWebHostBuilder(b =>
        {
            b.UseSetting("STUFF_DOMAIN", "example.org");
            b.UseSetting("STUFF_BASE_PATH", basePath);
        });
        var client = Site.Client(deployed);

        var form = await client.GetAsync($"{basePath}/account/login");
        var antiforgery = Assert.Single(SetCookies(form));
        var login = await Forms.PostAsync(client, $"{basePath}/account/login", [new("Form.Username", "alice"), new("Form.Password", SiteFactory.Password)]);
        var auth = Assert.Single(SetCookies(login), c => c.Contains("stuff.auth", StringComparison.Ordinal));
        const string passphrase = "a new passphrase for the cookie test";
        var saved = await Forms.PostAsync(client, $"{basePath}/account/password", Forms.PasswordFields(SiteFactory.Password, passphrase));
        var message = Assert.Single(SetCookies(saved), c => c.Contains("stuff.message", StringComparison.Ordinal));

        foreach (var cookie in new[] { antiforgery, auth, message })
        {
            var lower = cookie.ToLowerInvariant();
            if (prefix.Length > 0) Assert.StartsWith(prefix, cookie);
            else Assert.DoesNotContain("__Host-", cookie);
            Assert.Contains("httponly", lower);
            Assert.Matches("samesite=(lax|strict)", lower);
            Assert.Contains("secure", lower);
            Assert.DoesNotContain("domain=", lower);
            if (prefix.Length > 0) Assert.Contains("path=/;", lower + ";");
        }
        // The prefixed cookies work: the session carried the login and the form's token.
        Assert.Contains("Your password was changed.", await (await client.GetAsync($"{basePath}/")).BodyAsync());
    }
}
