using Stuff.Browser.Infrastructure;

namespace Stuff.Browser;

/// <summary>
/// axe on the pages no flow ends on, as the person who may see them; the list, login, forms,
/// confirmation, admin lists and status pages are checked by the tests of their flows.
/// </summary>
public sealed class AccessibilityTests(BrowserSite site) : BrowserTests(site)
{
    public enum Visitor { Anonymous, User, Admin }

    [Theory]
    [InlineData("account/denied", Visitor.Anonymous, 403)]
    [InlineData("account/logout", Visitor.User)]
    [InlineData("account/password", Visitor.User)]
    [InlineData("account/logout", Visitor.Admin)]
    [InlineData("admin/users/add", Visitor.Admin)]
    [InlineData("admin/groups", Visitor.Admin)]
    [InlineData("admin/groups/add", Visitor.Admin)]
    //#if (sample)
    [InlineData("admin/stuff/add", Visitor.Admin)]
    [InlineData("admin/stuff/{id}/change", Visitor.Admin)]
    [InlineData("admin/stuff/{id}/history", Visitor.Admin)]
    //#endif
    public async Task Pages_without_a_flow_of_their_own_have_no_serious_accessibility_problem(string path, Visitor visitor, int status = 200)
    {
        var name = path.Replace("{id}", "id", StringComparison.Ordinal);
        //#if (sample)
        await Site.AddStuffAsync(3);
        path = path.Replace("{id}", (await Site.Database.ScalarAsync("SELECT min(id) FROM stuff"))!.ToString(), StringComparison.Ordinal);
        //#endif
        var page = visitor switch
        {
            Visitor.Admin => await LoggedInAsync(BrowserSite.AdminName, BrowserSite.AdminPassword),
            Visitor.User => await LoggedInAsync(BrowserSite.UserName, BrowserSite.UserPassword),
            _ => await NewPageAsync(),
        };

        var response = await page.GotoAsync(path);

        Assert.Equal(status, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await FinishAsync(page, $"Page-{visitor}-" + name);
    }
}
