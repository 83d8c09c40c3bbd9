using Stuff.Browser.Infrastructure;

namespace Stuff.Browser.Hosting;

public sealed class StatusPageTests(BrowserSite site) : BrowserTests(site)
{
    [Fact]
    public async Task An_unknown_address_gets_a_friendly_not_found_page_with_a_way_home()
    {
        var page = await NewPageAsync();

        var response = await page.GotoAsync("no/such/page");

        Assert.Equal(404, response!.Status);
        await Expect(page).ToHaveTitleAsync("Not found · Stuff");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await FinishAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = BrowserSite.BackHome }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = BrowserSite.HomeHeading, Exact = true })).ToBeVisibleAsync();
    }

    /// <summary>
    /// The page every unhandled failure is re-executed to, opened directly: the site has no way
    /// to fail on purpose, and the page is the same one a person would see.
    /// </summary>
    [Fact]
    public async Task The_error_page_apologises_and_shows_a_request_id()
    {
        var page = await NewPageAsync();

        var response = await page.GotoAsync("error");

        Assert.Equal(500, response!.Status);
        await Expect(page).ToHaveTitleAsync("Something went wrong · Stuff");
        await Expect(page.GetByRole(AriaRole.Code)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\S+"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = BrowserSite.BackHome })).ToBeVisibleAsync();
        await FinishAsync(page);
    }

    //#if (sample)
    [Fact]
    public async Task A_missing_stuff_item_is_not_found()
    {
        var page = await LoggedInAsync();

        var response = await page.GotoAsync("edit/999999");

        Assert.Equal(404, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await FinishAsync(page);
    }
    //#endif
}
