using System.Text.RegularExpressions;
using Stuff.Browser.Infrastructure;

namespace Stuff.Browser.Admin;

public sealed class AdminTests(BrowserSite site) : BrowserTests(site)
{
    //#if (sample)
    [Fact]
    public async Task A_superuser_adds_a_user_and_gives_them_permission_to_add_stuff()
    {
        var userName = $"bob{Guid.NewGuid():N}"[..10];
        const string password = "bob's brand new passphrase";
        var admin = await LoggedInAsync(BrowserSite.AdminName, BrowserSite.AdminPassword);

        await admin.GetByRole(AriaRole.Link, new() { Name = "Admin" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Site administration" })).ToBeVisibleAsync();
        await admin.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        await admin.GetByRole(AriaRole.Link, new() { Name = "Add user" }).ClickAsync();

        await admin.GetByLabel("Username").FillAsync(userName);
        await admin.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await admin.GetByLabel("Password again").FillAsync(password);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = $"Change user “{userName}”" })).ToBeVisibleAsync();
        await admin.GetByLabel("Staff status").CheckAsync();
        await admin.GetByRole(AriaRole.Checkbox, new() { Name = "Can add stuff" }).CheckAsync();
        await admin.GetByRole(AriaRole.Checkbox, new() { Name = "Can view stuff" }).CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var users = admin.GetByRole(AriaRole.Row).Filter(new() { HasText = userName });
        await Expect(users).ToContainTextAsync("Yes");
        await admin.GetByRole(AriaRole.Link, new() { Name = userName }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Checkbox, new() { Name = "Can add stuff" })).ToBeCheckedAsync();
        await Expect(admin.GetByRole(AriaRole.Checkbox, new() { Name = "Can delete stuff" })).Not.ToBeCheckedAsync();
        await AssertAccessibleAsync(admin);
        await ScreenshotAsync(admin, "Admin-change-user");

        // The new user logs in elsewhere and can enter the admin, where stuff is theirs to add.
        var bob = await LoggedInAsync(userName, password);
        await bob.GetByRole(AriaRole.Link, new() { Name = "Admin" }).ClickAsync();
        await bob.GetByRole(AriaRole.Link, new() { Name = "Add stuff" }).ClickAsync();
        await bob.GetByLabel("Junk").FillAsync("Bob's first junk");
        await bob.GetByLabel("Things").FillAsync("added in the admin");
        await bob.GetByLabel("Some number").FillAsync("1");
        await bob.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(bob.GetByText("Bob's first junk").First).ToBeVisibleAsync();
        await Expect(bob).ToHaveURLAsync(new Regex("/admin/stuff"));
        await FinishAsync(bob);
    }
    //#endif

    [Fact]
    public async Task The_admin_lists_look_right()
    {
        //#if (sample)
        await Site.AddStuffAsync(12);
        //#endif
        var admin = await LoggedInAsync(BrowserSite.AdminName, BrowserSite.AdminPassword);

        await admin.GotoAsync("admin/users");
        await Expect(admin.GetByRole(AriaRole.Link, new() { Name = BrowserSite.UserName })).ToBeVisibleAsync();
        await AssertAccessibleAsync(admin);
        await ScreenshotAsync(admin, "Admin-users");

        await admin.GotoAsync("admin");
        await AssertAccessibleAsync(admin);
        await ScreenshotAsync(admin, "Admin-home");

        //#if (sample)
        await admin.GotoAsync("admin/stuff");
        await Expect(admin.GetByRole(AriaRole.Link, new() { Name = "Row 012" })).ToBeVisibleAsync();
        //#endif
        await FinishAsync(admin);
    }

    [Fact]
    public async Task A_user_who_is_not_staff_is_kept_out_of_the_admin()
    {
        var page = await LoggedInAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Admin" })).ToHaveCountAsync(0);

        var response = await page.GotoAsync("admin");

        Assert.Equal(403, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You can't do that" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = BrowserSite.BackHome })).ToBeVisibleAsync();
        await FinishAsync(page);
    }
}
