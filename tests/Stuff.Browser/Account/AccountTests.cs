using Stuff.Browser.Infrastructure;

namespace Stuff.Browser.Account;

public sealed class AccountTests(BrowserSite site) : BrowserTests(site)
{
    [Fact]
    public async Task A_wrong_password_is_refused_and_the_right_one_logs_in_by_keyboard_alone()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("");
        await page.GetByRole(AriaRole.Link, new() { Name = "Log in", Exact = true }).ClickAsync();
        await Expect(page).ToHaveTitleAsync("Log in · Stuff");

        await TabToAsync(page, page.GetByLabel("Username"));
        await page.Keyboard.TypeAsync(BrowserSite.UserName);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("not the password");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Username")).ToHaveValueAsync(BrowserSite.UserName);
        await AssertAccessibleAsync(page);
        await ScreenshotAsync(page, "Login-refused");

        await TabToAsync(page, page.GetByLabel("Password"));
        await page.Keyboard.TypeAsync(BrowserSite.UserPassword);
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByText($"Signed in as {BrowserSite.UserName}")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = BrowserSite.HomeHeading, Exact = true })).ToBeVisibleAsync();
        await FinishAsync(page);
    }

    [Fact]
    public async Task Logging_out_ends_the_session()
    {
        // Logged in here through the form, so that logging out ends this session and no other test's.
        var page = await NewPageAsync();
        await page.GotoAsync("account/login");
        await LogInAsync(page, BrowserSite.UserName, BrowserSite.UserPassword);

        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();

        await Expect(Message(page)).ToHaveTextAsync("You are logged out.");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Log in", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByText("Signed in as")).ToHaveCountAsync(0);
        await page.GotoAsync("account/password");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Log in" })).ToBeVisibleAsync();
        await FinishAsync(page);
    }
}
