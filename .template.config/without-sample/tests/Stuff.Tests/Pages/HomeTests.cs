using System.Net;

namespace Stuff.Tests.Pages;

/// <summary>The start page of a site without the sample model: open to all, and it shows each visitor the way on.</summary>
[Collection(SqliteCollection.Name)]
public sealed class HomeTests(SqliteSite site) : SiteTests(site)
{
    [Fact]
    public async Task Visitors_are_shown_the_login_and_staff_the_admin()
    {
        await Site.CreateUserAsync("alice");
        await Site.CreateUserAsync("root", superuser: true);

        var anonymous = await Site.Client().GetAsync("/");
        var user = await (await Site.LoginAsync("alice")).GetAsync("/");
        var staff = await (await Site.LoginAsync("root")).GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        var page = await anonymous.BodyAsync();
        Assert.Contains("<h1>Stuff</h1>", page);
        Assert.Contains("<a href=\"/account/login\">Log in to use it.</a>", page);
        var alice = await user.BodyAsync();
        Assert.Contains("Signed in as <strong>alice</strong>", alice);
        Assert.DoesNotContain("Open the admin", alice);
        Assert.DoesNotContain("to use it.", alice);
        Assert.Contains("<a href=\"/admin\">Open the admin</a>", await staff.BodyAsync());
    }
}
