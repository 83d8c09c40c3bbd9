using Stuff.Browser.Infrastructure;

namespace Stuff.Browser;

/// <summary>
/// axe on the pages no flow ends on, as the person who may see them; the list, login, forms,
/// confirmation, admin lists and status pages are checked by the tests of their flows.
/// </summary>
public sealed class AccessibilityTests(BrowserSite site) : BrowserTests(site)
{
    [Theory]
    [InlineData("account/logout", true)]
    [InlineData("account/password", true)]
    [InlineData("admin/users/add", true)]
    [InlineData("admin/groups", true)]
    [InlineData("admin/groups/add", true)]
    [InlineData("admin/stuff/add", true)]
    [InlineData("admin/stuff/{id}/change", true)]
    [InlineData("admin/stuff/{id}/history", true)]
    public async Task Pages_without_a_flow_of_their_own_have_no_serious_accessibility_problem(string path, bool asAdmin)
    {
        await Site.AddStuffAsync(3);
        var id = await Site.Database.ScalarAsync("SELECT min(id) FROM stuff");
        var page = asAdmin ? await LoggedInAsync(BrowserSite.AdminName, BrowserSite.AdminPassword) : await NewPageAsync();

        var response = await page.GotoAsync(path.Replace("{id}", id!.ToString()));

        Assert.Equal(200, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await FinishAsync(page, "Page-" + path.Replace("{id}", "id"));
    }
}
