using System.Net;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Pages.Admin;

public abstract class GroupAdminTests(SiteFactory site) : SiteTests(site)
{
    private async Task<HttpClient> SuperuserAsync()
    {
        await Site.CreateUserAsync("admin", superuser: true);
        return await Site.LoginAsync("admin");
    }

    private static KeyValuePair<string, string>[] Fields(string name, params string[] permissions) =>
        [new("Form.Name", name), .. permissions.Select(p => new KeyValuePair<string, string>("Form.Permissions", p))];

    [Fact]
    public async Task A_group_is_added_with_its_permissions_and_a_taken_name_is_refused()
    {
        var client = await SuperuserAsync();

        var added = await Forms.PostAsync(client, "/admin/groups/add", Fields("Editors", Permissions.UserView, Permissions.UserChange));

        Assert.Equal("/admin/groups", await Forms.AssertRedirectAsync(added));
        var group = await Site.QueryAsync(db => db.Roles.SingleAsync());
        Assert.Equal(("Editors", "EDITORS"), (group.Name, group.NormalizedName));
        Assert.Equal([Permissions.UserChange, Permissions.UserView],
            await Site.QueryAsync(db => db.RoleClaims.Select(c => c.ClaimValue!).OrderBy(v => v).ToListAsync()));

        var taken = await Forms.PostAsync(client, "/admin/groups/add", Fields("editors"));
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        Assert.Contains(Forms.Html("A group named “editors” already exists."), await taken.BodyAsync());
        Assert.Equal(1, await Site.QueryAsync(db => db.Roles.CountAsync()));
        Assert.Contains("1 groups", await (await client.GetAsync("/admin/groups")).BodyAsync());
    }

    [Theory]
    [InlineData("", "Enter a name.")]
    [InlineData("   ", "Enter a name.")]
    [InlineData("a-very-long-name-a-very-long-name-a-very-long-name-a-very-long-name-a-very-long-name-a-very-long-name-a-very-long-name-a-very-long-name-a-very-long-name-", "Group names must be at most 150 characters.")]
    public async Task Bad_names_and_unknown_permissions_are_refused_and_nothing_is_written(string name, string message)
    {
        var client = await SuperuserAsync();

        var response = await Forms.PostAsync(client, "/admin/groups/add", Fields(name, "stuff.fly"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Contains(message, html);
        Assert.Contains(Forms.Html("“stuff.fly” is not a permission."), html);
        Assert.Equal(0, await Site.QueryAsync(db => db.Roles.CountAsync()));
        Assert.Equal(0, await Site.QueryAsync(db => db.Log.CountAsync()));
    }

    [Fact]
    public async Task Members_gain_and_lose_a_groups_permissions_on_their_next_request()
    {
        var client = await SuperuserAsync();
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, "/admin/groups/add", Fields("Viewers", Permissions.UserView)));
        var groupId = await Site.QueryAsync(db => db.Roles.Select(r => r.Id).SingleAsync());
        var member = await Site.CreateStaffAsync("member", staff: true);
        await Site.QueryAsync(db =>
        {
            db.UserRoles.Add(new() { UserId = member.Id, RoleId = groupId });
            return db.SaveChangesAsync();
        });
        var memberClient = await Site.LoginAsync("member");
        Assert.Equal(HttpStatusCode.OK, (await memberClient.GetAsync("/admin/users")).StatusCode);

        var page = await (await client.GetAsync($"/admin/groups/{groupId}/change")).BodyAsync();
        Assert.Contains($"value=\"{Permissions.UserView}\" checked=\"checked\"", page);
        var changed = await client.PostAsync($"/admin/groups/{groupId}/change", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Form.Name", "Readers")]));
        await Forms.AssertRedirectAsync(changed);

        Assert.Equal(HttpStatusCode.Forbidden, (await memberClient.GetAsync("/admin/users")).StatusCode);
        Assert.Equal(["Added.", "Changed name and permissions."], await Site.QueryAsync(db => db.Log.OrderBy(e => e.Id).Select(e => e.Message).ToListAsync()));

        var deleted = await Forms.PostAsync(client, $"/admin/groups/{groupId}/delete", []);
        await Forms.AssertRedirectAsync(deleted);
        Assert.Equal(0, await Site.QueryAsync(db => db.UserRoles.CountAsync()));
        Assert.Equal(0, await Site.QueryAsync(db => db.RoleClaims.CountAsync()));
        var history = await client.GetAsync($"/admin/groups/{groupId}/history");
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        Assert.Contains("Deleted.", await history.BodyAsync());
    }

    [Fact]
    public async Task Renaming_to_another_groups_name_is_refused()
    {
        var client = await SuperuserAsync();
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, "/admin/groups/add", Fields("One")));
        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, "/admin/groups/add", Fields("Two")));
        var two = await Site.QueryAsync(db => db.Roles.SingleAsync(r => r.Name == "Two"));

        var response = await Forms.PostAsync(client, $"/admin/groups/{two.Id}/change", Fields("ONE"));

        Assert.Contains(Forms.Html("A group named “ONE” already exists."), await response.BodyAsync());
        Assert.Equal("Two", (await Site.QueryAsync(db => db.Roles.SingleAsync(r => r.Id == two.Id))).Name);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/groups/nope/change")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AdminSite.PostWithTokenAsync(client, "/admin/groups/nope/delete")).StatusCode);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class GroupAdminTestsOnSqlite(SqliteSite site) : GroupAdminTests(site);

[Collection(PostgresCollection.Name)]
public sealed class GroupAdminTestsOnPostgres(PostgresSite site) : GroupAdminTests(site);
