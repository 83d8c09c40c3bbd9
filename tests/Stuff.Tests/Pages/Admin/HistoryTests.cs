using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Pages.Admin;

public abstract class HistoryTests(SiteFactory site) : SiteTests(site)
{
    //#if (sample)
    /// <summary>The (user, message) rows of a history page, newest first.</summary>
    private static List<(string User, string Message)> Rows(string html) =>
        [.. Regex.Matches(html, "<td data-label=\"User\">([^<]*)</td>\\s*<td data-label=\"Action\">([^<]*)</td>")
            .Select(m => (WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))];

    [Fact]
    public async Task Changes_through_the_public_pages_are_recorded_with_who_and_what()
    {
        await Site.CreateUserAsync("alice");
        var client = await Site.LoginAsync("alice");

        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, "/new", [new("Form.Junk", "lamp"), new("Form.Things", "bulb"), new("Form.SomeNum", "1")]));
        var item = await Site.QueryAsync(db => db.Stuff.SingleAsync());
        var page = await (await client.GetAsync($"/edit/{item.Id}")).BodyAsync();
        await Forms.AssertRedirectAsync(await client.PostAsync($"/edit/{item.Id}", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Version", Forms.Field(page, "Version")),
            new("Form.Junk", "lamp"), new("Form.Things", "two bulbs"), new("Form.SomeNum", "1")])));
        page = await (await client.GetAsync($"/delete/{item.Id}")).BodyAsync();
        await Forms.AssertRedirectAsync(await client.PostAsync($"/delete/{item.Id}", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Version", Forms.Field(page, "Version"))])));

        var log = await Site.QueryAsync(db => db.Log.OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([(LogAction.Added, "Added."), (LogAction.Changed, "Changed things."), (LogAction.Deleted, "Deleted.")], log.Select(e => (e.Action, e.Message)));
        var alice = await Site.QueryAsync(db => db.Users.SingleAsync());
        Assert.All(log, e => Assert.Equal((alice.Id, "alice", "stuff", item.Id.ToString(), "lamp"), (e.UserId, e.UserName, e.ObjectType, e.ObjectId, e.ObjectRepr)));
    }
    //#endif

    //#if (sample)
    [Fact]
    public async Task A_failed_save_records_nothing()
    {
        await Site.CreateUserAsync("alice");
        var client = await Site.LoginAsync("alice");

        var response = await Forms.PostAsync(client, "/new", [new("Form.Junk", ""), new("Form.Things", "t"), new("Form.SomeNum", "1")]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await Site.QueryAsync(db => db.Log.CountAsync()));
    }
    //#endif

    [Fact]
    public async Task The_admin_home_shows_the_users_own_recent_actions_only()
    {
        await Site.CreateUserAsync("admin", superuser: true);
        await Site.CreateStaffAsync("alice", true, Permissions.GroupAdd);
        var alice = await Site.LoginAsync("alice");
        await Forms.AssertRedirectAsync(await Forms.PostAsync(alice, "/admin/groups/add", [new("Form.Name", "alice's lamp")]));
        var admin = await Site.LoginAsync("admin");
        await Forms.AssertRedirectAsync(await Forms.PostAsync(admin, "/admin/groups/add", [new("Form.Name", "admin's chair")]));

        var home = await (await admin.GetAsync("/admin")).BodyAsync();

        Assert.Contains("Recent actions", home);
        Assert.Contains(Forms.Html("admin's chair"), home);
        Assert.DoesNotContain(Forms.Html("alice's lamp"), home);
    }

    //#if (sample)
    [Fact]
    public async Task Done_means_a_staff_user_made_in_the_admin_can_edit_stuff_and_nothing_more_and_history_tells_who_did_what()
    {
        await Site.CreateUserAsync("admin", superuser: true);
        var admin = await Site.LoginAsync("admin");
        Assert.Contains("href=\"/admin\"", await (await admin.GetAsync("/")).BodyAsync());

        // The superuser adds some stuff and a user, then makes the user staff with view and change on stuff.
        await Forms.AssertRedirectAsync(await Forms.PostAsync(admin, "/admin/stuff/add", [new("Form.Junk", "desk"), new("Form.Things", "oak"), new("Form.SomeNum", "1")]));
        var item = await Site.QueryAsync(db => db.Stuff.SingleAsync());
        const string editorPassword = "the editor's own passphrase";
        var added = await Forms.PostAsync(admin, "/admin/users/add", [new("Form.Username", "editor"), new("Form.Password", editorPassword), new("Form.ConfirmPassword", editorPassword)]);
        var changeUrl = await Forms.AssertRedirectAsync(added);
        var form = await (await admin.GetAsync(changeUrl)).BodyAsync();
        await Forms.AssertRedirectAsync(await admin.PostAsync(changeUrl, new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(form)), new("Form.Stamp", Forms.Field(form, "Form.Stamp")),
            new("Form.Email", "editor@example.org"), new("Form.IsActive", "true"), new("Form.IsStaff", "true"),
            new("Form.Permissions", Permissions.StuffView), new("Form.Permissions", Permissions.StuffChange)])));

        // The editor logs in, lists and edits stuff in the admin ...
        var editor = await Site.LoginAsync("editor", editorPassword);
        var list = await editor.GetAsync("/admin/stuff");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("desk", await list.BodyAsync());
        var page = await (await editor.GetAsync($"/admin/stuff/{item.Id}/change")).BodyAsync();
        Assert.DoesNotContain("Delete…", page);
        await Forms.AssertRedirectAsync(await editor.PostAsync($"/admin/stuff/{item.Id}/change", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Version", Forms.Field(page, "Version")),
            new("Form.Junk", "standing desk"), new("Form.Things", "oak"), new("Form.SomeNum", "2")])));
        Assert.Equal("standing desk", (await Site.QueryAsync(db => db.Stuff.SingleAsync())).Junk);

        // ... and nothing else.
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync("/admin/stuff/add")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync($"/admin/stuff/{item.Id}/delete")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AdminSite.PostWithTokenAsync(editor, $"/admin/stuff/{item.Id}/delete", ("Version", "2"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AdminSite.PostWithTokenAsync(editor, "/admin/stuff/add", ("Form.Junk", "x"), ("Form.Things", "y"), ("Form.SomeNum", "1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync("/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync(changeUrl)).StatusCode);
        Assert.Equal(1, await Site.QueryAsync(db => db.Stuff.CountAsync()));

        // History shows both users' changes, newest first.
        var stuffHistory = await (await editor.GetAsync($"/admin/stuff/{item.Id}/history")).BodyAsync();
        Assert.Equal([("editor", "Changed junk and somenum."), ("admin", "Added.")], Rows(stuffHistory));
        var userHistory = await (await admin.GetAsync(changeUrl.Replace("/change", "/history"))).BodyAsync();
        Assert.Equal([("admin", "Changed email, staff status and user permissions."), ("admin", "Added.")], Rows(userHistory));
        Assert.Contains("standing desk", await (await editor.GetAsync("/admin")).BodyAsync());
    }
    //#endif
}

[Collection(SqliteCollection.Name)]
public sealed class HistoryTestsOnSqlite(SqliteSite site) : HistoryTests(site);

[Collection(PostgresCollection.Name)]
public sealed class HistoryTestsOnPostgres(PostgresSite site) : HistoryTests(site);
