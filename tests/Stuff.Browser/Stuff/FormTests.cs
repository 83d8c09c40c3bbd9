using System.Text.RegularExpressions;
using Stuff.Browser.Infrastructure;

namespace Stuff.Browser.Stuff;

public sealed class FormTests(BrowserSite site) : BrowserTests(site)
{
    [Fact]
    public async Task An_invalid_form_says_what_to_fix_and_a_valid_one_is_saved()
    {
        var page = await LoggedInAsync();
        await page.GotoAsync("new");
        await Expect(page).ToHaveTitleAsync("New stuff · Stuff");

        await page.GetByLabel("Some number").FillAsync("many");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Please correct the errors below.");
        await Expect(page.GetByText("Enter some junk.")).ToBeVisibleAsync();
        await Expect(page.GetByText("Enter some things.")).ToBeVisibleAsync();
        await Expect(page.GetByText("'many' is not a valid value.")).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);
        await ScreenshotAsync(page, "New-stuff-form-with-errors");

        await page.GetByLabel("Junk").FillAsync("A garden gnome");
        await page.GetByLabel("Things").FillAsync("Red hat\nfishing rod");
        await page.GetByLabel("Some number").FillAsync("42");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(Message(page)).ToHaveTextAsync("Saved “A garden gnome”.");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "A garden gnome" });
        await Expect(row).ToContainTextAsync("fishing rod");
        await Expect(row).ToContainTextAsync("42");
        await FinishAsync(page);
    }

    [Fact]
    public async Task The_new_stuff_form_works_by_keyboard_alone()
    {
        var page = await LoggedInAsync();
        await page.GotoAsync("new");

        await TabToAsync(page, page.GetByLabel("Junk"));
        await page.Keyboard.TypeAsync("Typed junk");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Typed things");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("-5");
        await page.Keyboard.PressAsync("Enter");

        await Expect(Message(page)).ToHaveTextAsync("Saved “Typed junk”.");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Typed junk" })).ToContainTextAsync("-5");
        await FinishAsync(page);
    }

    [Fact]
    public async Task Without_javascript_the_server_still_checks_and_saves_the_form()
    {
        var page = await LoggedInAsync(javaScript: false);
        await page.GotoAsync("new");

        await page.GetByLabel("Junk").FillAsync("   ");
        await page.GetByLabel("Things").FillAsync("no script here");
        await page.GetByLabel("Some number").FillAsync("99999999999");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Enter some junk.")).ToBeVisibleAsync();
        await Expect(page.GetByText("'99999999999' is not a valid value.")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Things")).ToHaveValueAsync("no script here");

        await page.GetByLabel("Junk").FillAsync("Scriptless junk");
        await page.GetByLabel("Some number").FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Message(page)).ToHaveTextAsync("Saved “Scriptless junk”.");
        await FinishAsync(page);
    }

    [Fact]
    public async Task Editing_changes_the_row()
    {
        await Site.AddStuffAsync(1, "Old");
        var page = await LoggedInAsync();
        await page.GotoAsync("");

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit Old 001" }).ClickAsync();
        await Expect(page).ToHaveTitleAsync("Edit stuff · Stuff");
        await Expect(page.GetByLabel("Junk")).ToHaveValueAsync("Old 001");
        await page.GetByLabel("Junk").FillAsync("New 001");
        await page.GetByLabel("Some number").FillAsync("8");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(Message(page)).ToHaveTextAsync("Saved “New 001”.");
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Old 001", Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "New 001" })).ToContainTextAsync("8");
        await FinishAsync(page);
    }

    [Fact]
    public async Task Two_people_editing_the_same_stuff_see_the_conflict_instead_of_losing_a_change()
    {
        await Site.AddStuffAsync(1, "Shared");
        var alice = await LoggedInAsync();
        var admin = await LoggedInAsync(BrowserSite.AdminName, BrowserSite.AdminPassword);
        await alice.GotoAsync("");
        await alice.GetByRole(AriaRole.Link, new() { Name = "Edit Shared 001" }).ClickAsync();
        await admin.GotoAsync(alice.Url);

        await admin.GetByLabel("Things").FillAsync("the admin's things");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Message(admin)).ToHaveTextAsync("Saved “Shared 001”.");

        await alice.GetByLabel("Things").FillAsync("alice's things");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var conflict = alice.GetByRole(AriaRole.Alert);
        await Expect(conflict).ToContainTextAsync("This stuff was changed by someone else since you opened it.");
        await Expect(conflict).ToContainTextAsync("the admin's things");
        await Expect(alice.GetByLabel("Things")).ToHaveValueAsync("alice's things");
        await AssertAccessibleAsync(alice);
        await ScreenshotAsync(alice, "Edit-conflict");

        // Having seen the other change, saving again is a deliberate choice, and it wins.
        await alice.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Message(alice)).ToHaveTextAsync("Saved “Shared 001”.");
        await Expect(alice.GetByRole(AriaRole.Row).Filter(new() { HasText = "Shared 001" })).ToContainTextAsync("alice's things");
        await FinishAsync(alice);
    }

    [Fact]
    public async Task Deleting_asks_first_and_keeps_the_stuff_when_the_answer_is_no()
    {
        await Site.AddStuffAsync(2, "Doomed");
        var page = await LoggedInAsync();
        await page.GotoAsync("");

        await page.GetByRole(AriaRole.Link, new() { Name = "Delete Doomed 001" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delete stuff?" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "No, keep it" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Doomed 001", Exact = true })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Delete Doomed 001" }).ClickAsync();
        await Expect(page.GetByText("This cannot be undone.")).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);
        await ScreenshotAsync(page, "Delete-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete it" }).ClickAsync();

        await Expect(Message(page)).ToHaveTextAsync("Deleted “Doomed 001”.");
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Doomed 001", Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "Doomed 002", Exact = true })).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/$"));
        await FinishAsync(page);
    }
}
