using System.Net;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Pages.Admin;

/// <summary>
/// Every admin route and POST, for each kind of visitor: who gets in, who is sent to log in,
/// and who gets a 403. One test per kind of visitor walks the whole route list.
/// </summary>
public abstract class PermissionMatrixTests(SiteFactory site) : SiteTests(site)
{
    /// <summary>A request, and the permissions of which any one lets it through (none: any staff user).</summary>
    private sealed record Route(string Method, string Path, string[] Needs, (string Name, string Value)[] Fields);

    private static Route Get(string path, params string[] needs) => new("GET", path, needs, []);

    private static Route Post(string path, string[] needs, params (string, string)[] fields) => new("POST", path, needs, fields);

    /// <summary>The routes in an order where the deleting POSTs come last, so the objects exist for the rest.</summary>
    private static List<Route> Routes(int stuffId, string userId, string groupId)
    {
        //#if (sample)
        string[] seeStuff = [Permissions.StuffView, Permissions.StuffChange];
        //#endif
        string[] seeUsers = [Permissions.UserView, Permissions.UserChange];
        string[] seeGroups = [Permissions.GroupView, Permissions.GroupChange];
        return
        [
            Get("/admin"),
            //#if (sample)
            Get("/admin/stuff", seeStuff),
            Get("/admin/stuff/add", Permissions.StuffAdd),
            Post("/admin/stuff/add", [Permissions.StuffAdd]),
            Get($"/admin/stuff/{stuffId}/change", Permissions.StuffChange),
            Post($"/admin/stuff/{stuffId}/change", [Permissions.StuffChange]),
            Get($"/admin/stuff/{stuffId}/history", seeStuff),
            Get($"/admin/stuff/{stuffId}/delete", Permissions.StuffDelete),
            Post($"/admin/stuff/{stuffId}/delete", [Permissions.StuffDelete], ("Version", "0")),
            Post("/admin/stuff/delete-selected", [Permissions.StuffDelete], ("ids", stuffId.ToString())),
            //#endif
            Get("/admin/users", seeUsers),
            Get("/admin/users/add", Permissions.UserAdd),
            Post("/admin/users/add", [Permissions.UserAdd]),
            Get($"/admin/users/{userId}/change", Permissions.UserChange),
            Post($"/admin/users/{userId}/change", [Permissions.UserChange], ("Form.Permissions", "no.such")),
            Get($"/admin/users/{userId}/password", Permissions.UserChange),
            Post($"/admin/users/{userId}/password", [Permissions.UserChange]),
            Get($"/admin/users/{userId}/history", seeUsers),
            Get($"/admin/users/{userId}/delete", Permissions.UserDelete),
            Get("/admin/groups", seeGroups),
            Get("/admin/groups/add", Permissions.GroupAdd),
            Post("/admin/groups/add", [Permissions.GroupAdd]),
            Get($"/admin/groups/{groupId}/change", Permissions.GroupChange),
            Post($"/admin/groups/{groupId}/change", [Permissions.GroupChange]),
            Get($"/admin/groups/{groupId}/history", seeGroups),
            Get($"/admin/groups/{groupId}/delete", Permissions.GroupDelete),
            //#if (sample)
            Post("/admin/stuff/delete-selected?handler=Confirm", [Permissions.StuffDelete], ("ids", stuffId.ToString())),
            //#endif
            Post($"/admin/users/{userId}/delete", [Permissions.UserDelete]),
            Post($"/admin/groups/{groupId}/delete", [Permissions.GroupDelete]),
        ];
    }

    public enum Visitor { Anonymous, ActiveNonStaff, InactiveStaff, StaffWithoutPermissions, Superuser }

    public static TheoryData<Visitor> Visitors => new(Enum.GetValues<Visitor>());

    public static TheoryData<string> EachPermission => new(Permissions.All.Select(p => p.Value));

    [Theory]
    [MemberData(nameof(Visitors))]
    public async Task Each_kind_of_visitor_gets_what_they_may_on_every_admin_route(Visitor visitor)
    {
        var (stuffId, userId, groupId) = await ObjectsAsync();
        var client = Site.Client();
        if (visitor != Visitor.Anonymous)
        {
            if (visitor == Visitor.Superuser) await Site.CreateUserAsync("visitor", superuser: true);
            else await Site.CreateStaffAsync("visitor", staff: visitor != Visitor.ActiveNonStaff);
            client = await Site.LoginAsync("visitor", client: client);
            if (visitor == Visitor.InactiveStaff) await DeactivateAsync("visitor");
        }

        foreach (var route in Routes(stuffId, userId, groupId))
        {
            var response = await SendAsync(client, route);
            var what = $"{visitor}: {route.Method} {route.Path}";
            switch (visitor)
            {
                case Visitor.Anonymous:
                    Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{what} gave {(int)response.StatusCode}");
                    Assert.Contains("/account/login", response.Headers.Location!.ToString());
                    break;
                case Visitor.Superuser:
                    await AssertAllowedAsync(response, what);
                    break;
                case Visitor.StaffWithoutPermissions when route.Needs.Length == 0:
                    await AssertAllowedAsync(response, what);
                    break;
                default:
                    await AssertForbiddenAsync(response, what);
                    break;
            }
        }

        if (visitor != Visitor.Superuser)
        {
            Assert.Equal(0, await Site.QueryAsync(db => db.Log.CountAsync()));
            //#if (sample)
            Assert.Equal(1, await Site.QueryAsync(db => db.Stuff.CountAsync()));
            //#endif
            Assert.Equal(1, await Site.QueryAsync(db => db.Roles.CountAsync()));
            Assert.True(await Site.QueryAsync(db => db.Users.AnyAsync(u => u.Id == userId)));
        }
    }

    [Theory]
    [MemberData(nameof(EachPermission))]
    public async Task Staff_with_one_permission_may_use_exactly_the_routes_it_covers(string permission)
    {
        var (stuffId, userId, groupId) = await ObjectsAsync();
        await Site.CreateStaffAsync("visitor", staff: true, permission);
        var client = await Site.LoginAsync("visitor");

        foreach (var route in Routes(stuffId, userId, groupId))
        {
            var response = await SendAsync(client, route);
            var what = $"{permission}: {route.Method} {route.Path}";
            if (route.Needs.Length == 0 || route.Needs.Contains(permission)) await AssertAllowedAsync(response, what);
            else await AssertForbiddenAsync(response, what);
        }
    }

    /// <summary>One of each kind of object, none of them the visitor.</summary>
    private async Task<(int StuffId, string UserId, string GroupId)> ObjectsAsync()
    {
#if nosample
        const int stuffId = 0;
#else
        var stuffId = (await Site.AddStuffAsync("matrix junk")).Id;
#endif
        var target = await Site.CreateStaffAsync("target", staff: false);
        var groupId = await Site.QueryAsync(async db =>
        {
            var group = new Microsoft.AspNetCore.Identity.IdentityRole("editors") { NormalizedName = "EDITORS" };
            db.Roles.Add(group);
            await db.SaveChangesAsync();
            return group.Id;
        });
        return (stuffId, target.Id, groupId);
    }

    private Task<int> DeactivateAsync(string userName) => Site.QueryAsync(db =>
        db.Users.Where(u => u.UserName == userName).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsActive, false)));

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Route route) =>
        route.Method == "GET" ? await client.GetAsync(route.Path) : await AdminSite.PostWithTokenAsync(client, route.Path, route.Fields);

    private static async Task AssertAllowedAsync(HttpResponseMessage response, string what)
    {
        var ok = response.StatusCode == HttpStatusCode.OK
            || (response.StatusCode == HttpStatusCode.Redirect && !response.Headers.Location!.ToString().Contains("/account/"));
        Assert.True(ok, $"{what} should be allowed, got {(int)response.StatusCode} {response.Headers.Location}: {Snippet(await response.BodyAsync())}");
    }

    private static async Task AssertForbiddenAsync(HttpResponseMessage response, string what)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what} should be 403, got {(int)response.StatusCode} {response.Headers.Location}");
        Assert.Contains("You can&#x27;t do that", await response.BodyAsync());
    }

    private static string Snippet(string html) => System.Text.RegularExpressions.Regex.Replace(html, @"\s+", " ")[..Math.Min(600, html.Length)];
}

[Collection(SqliteCollection.Name)]
public sealed class PermissionMatrixTestsOnSqlite(SqliteSite site) : PermissionMatrixTests(site);

[Collection(PostgresCollection.Name)]
public sealed class PermissionMatrixTestsOnPostgres(PostgresSite site) : PermissionMatrixTests(site);
