using System.Text.RegularExpressions;
using Stuff.Browser.Infrastructure;

namespace Stuff.Browser.Stuff;

public sealed class ListTests(BrowserSite site) : BrowserTests(site)
{
    [Fact]
    public async Task An_anonymous_visitor_sees_the_list_and_is_sent_to_log_in_for_new_stuff()
    {
        await Site.AddStuffAsync(3);
        var page = await NewPageAsync();

        await page.GotoAsync("");
        await Expect(page).ToHaveTitleAsync("All stuff · Stuff");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "All stuff", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Row 001", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByText("3 items")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "New stuff" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/login\\?ReturnUrl=%2Fnew$"));

        // After logging in the visitor lands where they were going.
        await LogInAsync(page, BrowserSite.UserName, BrowserSite.UserPassword);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New stuff" })).ToBeVisibleAsync();
        await FinishAsync(page);
    }

    [Fact]
    public async Task An_empty_list_invites_a_visitor_to_log_in()
    {
        var page = await NewPageAsync();

        await page.GotoAsync("");
        await Expect(page.GetByText("No stuff yet.")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Log in to make new stuff." }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Log in" })).ToBeVisibleAsync();
        await FinishAsync(page);
    }

    [Fact]
    public async Task An_empty_list_invites_a_logged_in_user_to_make_new_stuff()
    {
        var page = await LoggedInAsync();

        await page.GotoAsync("");
        await Expect(page.GetByText("No stuff yet.")).ToBeVisibleAsync();
        await FinishAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Make new stuff." }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New stuff" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Next_and_previous_page_through_the_list()
    {
        await Site.AddStuffAsync(105);
        var page = await NewPageAsync();

        await page.GotoAsync("");
        await Expect(page.GetByText("105 items · page 1 of 2")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Previous" })).ToHaveCountAsync(0);
        var pages = page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" });

        await pages.GetByRole(AriaRole.Link, new() { Name = "Next" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Row 101", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Row 100", Exact = true })).ToHaveCountAsync(0);
        await Expect(pages.GetByRole(AriaRole.Link, new() { Name = "Next" })).ToHaveCountAsync(0);

        await pages.GetByRole(AriaRole.Link, new() { Name = "Previous" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Row 001", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Row 100", Exact = true })).ToBeVisibleAsync();
        await FinishAsync(page);
    }
}
