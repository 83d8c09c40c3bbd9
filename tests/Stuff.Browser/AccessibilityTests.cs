using Stuff.Browser.Infrastructure;

namespace Stuff.Browser;

/// <summary>axe on one page of every kind, as the person who can see it; the flows check the pages in their other states.</summary>
public sealed class AccessibilityTests(BrowserSite site) : BrowserTests(site)
{
    [Theory]
    [InlineData("", false)]
    [InlineData("account/login", false)]
    [InlineData("account/logout", true)]
    [InlineData("account/password", true)]
    [InlineData("new", true)]
    [InlineData("edit/{id}", true)]
    [InlineData("delete/{id}", true)]
    [InlineData("admin", true)]
    [InlineData("admin/users", true)]
    [InlineData("admin/users/add", true)]
    [InlineData("admin/groups", true)]
    [InlineData("admin/groups/add", true)]
    [InlineData("admin/stuff", true)]
    [InlineData("admin/stuff/add", true)]
    [InlineData("admin/stuff/{id}/change", true)]
    [InlineData("admin/stuff/{id}/history", true)]
    public async Task Every_kind_of_page_has_no_serious_accessibility_problem(string path, bool asAdmin)
    {
        await Site.AddStuffAsync(3);
        var id = await Site.Database.ScalarAsync("SELECT min(id) FROM stuff");
        var page = asAdmin ? await LoggedInAsync(BrowserSite.AdminName, BrowserSite.AdminPassword) : await NewPageAsync();

        var response = await page.GotoAsync(path.Replace("{id}", id!.ToString()));

        Assert.Equal(200, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await FinishAsync(page, "Page-" + (path.Length == 0 ? "list" : path.Replace("{id}", "id")));
    }
}
