using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;
using Stuff.Pages.Admin.Users;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Pages.Admin;

public abstract class UserAdminTests(SiteFactory site) : SiteTests(site)
{
    private const string NewPassword = "an entirely new passphrase";

    private async Task<(AppUser Admin, HttpClient Client)> SuperuserAsync(string name = "admin")
    {
        var admin = await Site.CreateUserAsync(name, superuser: true);
        return (admin, await Site.LoginAsync(name));
    }

    private sealed record Change(string? Email = null, bool Active = true, bool Staff = false, bool Superuser = false, string[]? Groups = null, string[]? Permissions = null, string? FirstName = null);

    /// <summary>Opens a user's change form and posts it with these values (and the form's own token and stamp).</summary>
    private static async Task<HttpResponseMessage> ChangeAsync(HttpClient client, string id, Change change)
    {
        var page = await (await client.GetAsync($"/admin/users/{id}/change")).BodyAsync();
        var fields = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", Forms.Token(page)),
            new("Form.Stamp", Forms.Field(page, "Form.Stamp")),
            new("Form.Email", change.Email ?? ""),
            new("Form.FirstName", change.FirstName ?? ""),
        };
        if (change.Active) fields.Add(new("Form.IsActive", "true"));
        if (change.Staff) fields.Add(new("Form.IsStaff", "true"));
        if (change.Superuser) fields.Add(new("Form.IsSuperuser", "true"));
        fields.AddRange((change.Groups ?? []).Select(g => new KeyValuePair<string, string>("Form.Groups", g)));
        fields.AddRange((change.Permissions ?? []).Select(p => new KeyValuePair<string, string>("Form.Permissions", p)));
        return await client.PostAsync($"/admin/users/{id}/change", new FormUrlEncodedContent(fields));
    }

    private Task<AppUser> UserAsync(string name) => Site.QueryAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.UserName == name));

    private Task<List<string>> MessagesAsync() => Site.QueryAsync(db => db.Log.OrderBy(e => e.Id).Select(e => e.Message).ToListAsync());

    [Fact]
    public async Task Adding_a_user_checks_the_password_rules_and_then_opens_their_change_page()
    {
        var (_, client) = await SuperuserAsync();

        var weak = await Forms.PostAsync(client, "/admin/users/add", [new("Form.Username", "bob"), new("Form.Password", "password1234"), new("Form.ConfirmPassword", "password1234")]);
        Assert.Equal(HttpStatusCode.OK, weak.StatusCode);
        Assert.Contains("This password is too common.", await weak.BodyAsync());

        var mismatch = await Forms.PostAsync(client, "/admin/users/add", [new("Form.Username", "bob"), new("Form.Password", NewPassword), new("Form.ConfirmPassword", NewPassword + "x")]);
        Assert.Contains("The two passwords don&#x27;t match.", await mismatch.BodyAsync());

        var taken = await Forms.PostAsync(client, "/admin/users/add", [new("Form.Username", "admin"), new("Form.Password", NewPassword), new("Form.ConfirmPassword", NewPassword)]);
        Assert.Contains("Username &#x27;admin&#x27; is already taken.", await taken.BodyAsync());

        var blank = await Forms.PostAsync(client, "/admin/users/add", [new("Form.Username", ""), new("Form.Password", ""), new("Form.ConfirmPassword", "")]);
        Assert.Contains("Enter a username.", await blank.BodyAsync());
        Assert.Equal(1, await Site.QueryAsync(db => db.Users.CountAsync()));
        Assert.Empty(await MessagesAsync());

        var ok = await Forms.PostAsync(client, "/admin/users/add", [new("Form.Username", "bob"), new("Form.Password", NewPassword), new("Form.ConfirmPassword", NewPassword)]);

        var bob = await UserAsync("bob");
        Assert.Equal($"/admin/users/{bob.Id}/change", await Forms.AssertRedirectAsync(ok));
        Assert.False(bob.IsStaff || bob.IsSuperuser);
        Assert.True(bob.IsActive);
        Assert.Equal(["Added."], await MessagesAsync());
        await Site.LoginAsync("bob", NewPassword);
    }

    [Fact]
    public async Task Changing_a_user_sets_flags_groups_and_permissions_and_names_what_changed()
    {
        var (_, client) = await SuperuserAsync();
        var bob = await Site.CreateStaffAsync("bob", staff: false);
        var groupId = await Site.QueryAsync(async db =>
        {
            var group = new IdentityRole("editors") { NormalizedName = "EDITORS" };
            db.Roles.Add(group);
            await db.SaveChangesAsync();
            return group.Id;
        });

        var response = await ChangeAsync(client, bob.Id, new Change("bob@new.example", Staff: true, Groups: [groupId], Permissions: [Permissions.GroupView, Permissions.GroupChange]));

        Assert.Equal("/admin/users", await Forms.AssertRedirectAsync(response));
        var changed = await UserAsync("bob");
        Assert.True(changed.IsStaff);
        Assert.Equal("BOB@NEW.EXAMPLE", changed.NormalizedEmail);
        Assert.Equal([groupId], await Site.QueryAsync(db => db.UserRoles.Where(r => r.UserId == bob.Id).Select(r => r.RoleId).ToListAsync()));
        Assert.Equal([Permissions.GroupChange, Permissions.GroupView],
            await Site.QueryAsync(db => db.UserClaims.Where(c => c.UserId == bob.Id).Select(c => c.ClaimValue!).OrderBy(v => v).ToListAsync()));
        Assert.Equal(["Changed email, staff status, groups and user permissions."], await MessagesAsync());

        var page = await (await client.GetAsync($"/admin/users/{bob.Id}/change")).BodyAsync();
        Assert.Matches($"value=\"{Permissions.GroupView}\" checked=\"checked\"", page);
        Assert.Matches($"value=\"{groupId}\" checked=\"checked\"", page);
    }

    [Theory]
    [InlineData("Form.Permissions", "stuff.fly", "“stuff.fly” is not a permission.")]
    [InlineData("Form.Groups", "no-such-group", "“no-such-group” is not a group.")]
    [InlineData("Form.Email", "not an email", "Enter a valid email address.")]
    public async Task Unknown_permissions_groups_and_bad_values_are_refused_and_nothing_is_written(string field, string value, string message)
    {
        var (_, client) = await SuperuserAsync();
        var bob = await Site.CreateStaffAsync("bob", staff: false);
        var page = await (await client.GetAsync($"/admin/users/{bob.Id}/change")).BodyAsync();

        var response = await client.PostAsync($"/admin/users/{bob.Id}/change", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Form.Stamp", Forms.Field(page, "Form.Stamp")),
            new("Form.IsActive", "true"), new("Form.IsStaff", "true"), new(field, value)]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Forms.Html(message), await response.BodyAsync());
        Assert.False((await UserAsync("bob")).IsStaff);
        Assert.Equal(0, await Site.QueryAsync(db => db.UserClaims.CountAsync()));
        Assert.Empty(await MessagesAsync());
    }

    [Fact]
    public async Task A_change_to_a_user_changed_meanwhile_is_refused_and_saving_again_applies_it()
    {
        var (_, client) = await SuperuserAsync();
        var bob = await Site.CreateStaffAsync("bob", staff: false);
        var page = await (await client.GetAsync($"/admin/users/{bob.Id}/change")).BodyAsync();
        await Site.QueryAsync(db => db.Users.Where(u => u.Id == bob.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.FirstName, "Robert").SetProperty(x => x.ConcurrencyStamp, "theirs")));

        var response = await client.PostAsync($"/admin/users/{bob.Id}/change", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Form.Stamp", Forms.Field(page, "Form.Stamp")),
            new("Form.IsActive", "true"), new("Form.IsStaff", "true")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Contains(Forms.Html(ChangeModel.ConflictMessage), html);
        Assert.Equal("theirs", Forms.Field(html, "Form.Stamp"));
        Assert.False((await UserAsync("bob")).IsStaff);
        Assert.Empty(await MessagesAsync());

        var again = await client.PostAsync($"/admin/users/{bob.Id}/change", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(html)), new("Form.Stamp", Forms.Field(html, "Form.Stamp")),
            new("Form.IsActive", "true"), new("Form.IsStaff", "true")]));
        await Forms.AssertRedirectAsync(again);
        Assert.True((await UserAsync("bob")).IsStaff);
    }

    [Fact]
    public async Task Unknown_user_ids_are_not_found()
    {
        var (_, client) = await SuperuserAsync();

        foreach (var path in new[] { "/admin/users/nope/change", "/admin/users/nope/password", "/admin/users/nope/delete", "/admin/users/nope/history" })
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AdminSite.PostWithTokenAsync(client, "/admin/users/nope/delete")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AdminSite.PostWithTokenAsync(client, "/admin/users/nope/change", ("Form.IsActive", "true"))).StatusCode);
    }

    [Fact]
    public async Task Nobody_can_delete_themselves()
    {
        var (admin, client) = await SuperuserAsync();
        await Site.CreateUserAsync("other", superuser: true);

        var page = await (await client.GetAsync($"/admin/users/{admin.Id}/delete")).BodyAsync();
        Assert.Contains(GuardRails.NotYourself, page);
        var response = await AdminSite.PostWithTokenAsync(client, $"/admin/users/{admin.Id}/delete");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(GuardRails.NotYourself, await response.BodyAsync());
        Assert.Equal(2, await Site.QueryAsync(db => db.Users.CountAsync()));
    }

    [Theory]
    [InlineData(false, true, true)]
    [InlineData(true, false, true)]
    [InlineData(true, true, false)]
    public async Task Nobody_can_deactivate_or_demote_themselves(bool active, bool staff, bool superuser)
    {
        var (admin, client) = await SuperuserAsync();
        await Site.CreateUserAsync("other", superuser: true);

        var response = await ChangeAsync(client, admin.Id, new Change(Active: active, Staff: staff, Superuser: superuser));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Forms.Html(GuardRails.NotDemoteYourself), await response.BodyAsync());
        var unchanged = await UserAsync("admin");
        Assert.True(unchanged.IsActive && unchanged.IsStaff && unchanged.IsSuperuser);
    }

    [Theory]
    [InlineData(false, true, true)]
    [InlineData(true, true, false)]
    public async Task The_last_active_superuser_cannot_be_deactivated_demoted_or_deleted(bool active, bool staff, bool superuser)
    {
        var (admin, client) = await SuperuserAsync();
        // Another superuser who cannot log in does not count.
        var inactive = await Site.CreateUserAsync("retired", superuser: true);
        await Site.QueryAsync(db => db.Users.Where(u => u.Id == inactive.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsActive, false)));

        var change = await ChangeAsync(client, admin.Id, new Change(Active: active, Staff: staff, Superuser: superuser));
        Assert.Contains(Forms.Html(GuardRails.LastSuperuser("admin")), await change.BodyAsync());

        var delete = await AdminSite.PostWithTokenAsync(client, $"/admin/users/{admin.Id}/delete");
        Assert.Contains(Forms.Html(GuardRails.LastSuperuser("admin")), await delete.BodyAsync());

        var unchanged = await UserAsync("admin");
        Assert.True(unchanged.IsActive && unchanged.IsSuperuser);
        Assert.Empty(await MessagesAsync());
    }

    [Fact]
    public async Task Staff_who_may_change_users_cannot_make_superusers_or_touch_a_superuser()
    {
        var admin = await Site.CreateUserAsync("admin", superuser: true);
        await Site.CreateStaffAsync("manager", true, Permissions.UserChange, Permissions.UserDelete);
        var bob = await Site.CreateStaffAsync("bob", staff: false);
        var client = await Site.LoginAsync("manager");

        var promote = await ChangeAsync(client, bob.Id, new Change(Staff: true, Superuser: true));
        Assert.Contains(Forms.Html(GuardRails.OnlySuperusersGrantSuperuser), await promote.BodyAsync());
        Assert.False((await UserAsync("bob")).IsSuperuser);

        var demote = await ChangeAsync(client, admin.Id, new Change(Staff: true, Superuser: false));
        Assert.Contains(Forms.Html(GuardRails.OnlySuperusersTouchSuperusers), await demote.BodyAsync());

        var password = await AdminSite.PostWithTokenAsync(client, $"/admin/users/{admin.Id}/password", ("Form.Password", NewPassword), ("Form.ConfirmPassword", NewPassword));
        Assert.Contains(Forms.Html(GuardRails.OnlySuperusersTouchSuperusers), await password.BodyAsync());

        var delete = await AdminSite.PostWithTokenAsync(client, $"/admin/users/{admin.Id}/delete");
        Assert.Contains(Forms.Html(GuardRails.OnlySuperusersTouchSuperusers), await delete.BodyAsync());

        Assert.True((await UserAsync("admin")).IsSuperuser);
        await Site.LoginAsync("admin");
        Assert.Empty(await MessagesAsync());
    }

    [Fact]
    public async Task Setting_a_password_follows_the_rules_and_the_new_one_works()
    {
        var (_, client) = await SuperuserAsync();
        var bob = await Site.CreateStaffAsync("bob", staff: false);

        var weak = await Forms.PostAsync(client, $"/admin/users/{bob.Id}/password", [new("Form.Password", "1234567890123"), new("Form.ConfirmPassword", "1234567890123")]);
        Assert.Contains("This password is entirely numeric.", await weak.BodyAsync());

        var ok = await Forms.PostAsync(client, $"/admin/users/{bob.Id}/password", [new("Form.Password", NewPassword), new("Form.ConfirmPassword", NewPassword)]);

        await Forms.AssertRedirectAsync(ok);
        await Site.LoginAsync("bob", NewPassword);
        Assert.Equal(["Changed password."], await MessagesAsync());
    }

    [Fact]
    public async Task Deleting_a_user_keeps_the_history_of_what_they_did_under_their_name()
    {
        var (_, client) = await SuperuserAsync();
        await Site.CreateStaffAsync("bob", true, Permissions.GroupAdd);
        var bobClient = await Site.LoginAsync("bob");
        await Forms.AssertRedirectAsync(await Forms.PostAsync(bobClient, "/admin/groups/add", [new("Form.Name", "Bob's group")]));
        var bob = await UserAsync("bob");

        var deleted = await Forms.PostAsync(client, $"/admin/users/{bob.Id}/delete", []);

        Assert.Equal("/admin/users", await Forms.AssertRedirectAsync(deleted));
        Assert.False(await Site.QueryAsync(db => db.Users.AnyAsync(u => u.UserName == "bob")));
        var log = await Site.QueryAsync(db => db.Log.OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([("bob", null, "Added."), ("admin", log[1].UserId, "Deleted.")], log.Select(e => (e.UserName, e.UserId, e.Message)));
        Assert.NotNull(log[1].UserId);
        var history = await (await client.GetAsync($"/admin/users/{bob.Id}/history")).BodyAsync();
        Assert.Contains("Deleted.", history);
    }

    [Fact]
    public async Task The_list_filters_by_flags_and_searches_names_and_email()
    {
        var (_, client) = await SuperuserAsync();
        await Site.CreateStaffAsync("staffer", staff: true);
        await Site.CreateStaffAsync("plain", staff: false);
        var gone = await Site.CreateStaffAsync("gone", staff: false);
        await Site.QueryAsync(db => db.Users.Where(u => u.Id == gone.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsActive, false)));

        async Task<string[]> NamesAsync(string query)
        {
            var html = await (await client.GetAsync("/admin/users" + query)).BodyAsync();
            return [.. System.Text.RegularExpressions.Regex.Matches(html, "/change\">([^<]+)</a>").Select(m => m.Groups[1].Value)];
        }

        Assert.Equal(["admin", "gone", "plain", "staffer"], await NamesAsync(""));
        Assert.Equal(["admin", "staffer"], await NamesAsync("?staff=yes"));
        Assert.Equal(["gone", "plain"], await NamesAsync("?staff=no"));
        Assert.Equal(["admin"], await NamesAsync("?superuser=yes"));
        Assert.Equal(["gone"], await NamesAsync("?active=no"));
        Assert.Equal(["plain"], await NamesAsync("?staff=no&active=yes"));
        Assert.Equal(["staffer"], await NamesAsync("?q=STAFFER%40example"));
        Assert.Equal(["admin", "gone", "plain", "staffer"], await NamesAsync("?staff=maybe"));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class UserAdminTestsOnSqlite(SqliteSite site) : UserAdminTests(site);

[Collection(PostgresCollection.Name)]
public sealed class UserAdminTestsOnPostgres(PostgresSite site) : UserAdminTests(site);
