using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

/// <summary>
/// Every page and endpoint the app has, found from its own endpoints, opened by an anonymous
/// visitor, a signed-in user, a staff member without permissions and a superuser, and the
/// answers compared with the table below. A new endpoint fails this test until the table says
/// who may open it.
/// </summary>
[Collection(SqliteCollection.Name)]
public sealed partial class AuthorizationMatrixTests(SqliteSite site) : SiteTests(site)
{
    private static readonly string[] Who = ["anonymous", "user", "staff", "superuser"];

    // GET answers for anonymous / user / staff without permissions / superuser. "login" is a
    // redirect to the login page; the admin home shows staff without permissions that they may
    // manage nothing.
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["/"] = "200 200 200 200",
        //#if (sample)
        ["/new"] = "login 200 200 200",
        ["/edit/{id:int}"] = "login 200 200 200",
        ["/delete/{id:int}"] = "login 200 200 200",
        //#endif
        ["/account/login"] = "200 200 200 200",
        ["/account/logout"] = "200 200 200 200",
        ["/account/password"] = "login 200 200 200",
        ["/account/denied"] = "403 403 403 403",
        ["/error"] = "500 500 500 500",
        // Opened directly rather than re-executed for a failed request, the status pages are plain pages.
        ["/status/{code:int}"] = "200 200 200 200",
        ["/healthz"] = "200 200 200 200",
        ["/readyz"] = "200 200 200 200",
        ["/admin"] = "login 403 200 200",
        // The registered models' pages, opened for stuff.
        ["/admin/{section}"] = "login 403 403 200",
        ["/admin/{section}/add"] = "login 403 403 200",
        // A GET has no selection: it goes back to the list, for those who may see it.
        ["/admin/{section}/delete-selected"] = "login 403 403 302",
        ["/admin/{section}/{id}/change"] = "login 403 403 200",
        ["/admin/{section}/{id}/delete"] = "login 403 403 200",
        ["/admin/users"] = "login 403 403 200",
        ["/admin/users/add"] = "login 403 403 200",
        ["/admin/users/{id}/change"] = "login 403 403 200",
        ["/admin/users/{id}/password"] = "login 403 403 200",
        ["/admin/users/{id}/delete"] = "login 403 403 200",
        ["/admin/groups"] = "login 403 403 200",
        ["/admin/groups/add"] = "login 403 403 200",
        ["/admin/groups/{id}/change"] = "login 403 403 200",
        ["/admin/groups/{id}/delete"] = "login 403 403 200",
        ["/admin/{section}/{id}/history"] = "login 403 403 200",
    };

    [GeneratedRegex(@"\{(\w+)(:[^}]+)?\}")]
    private static partial Regex RouteParameter();

    private IReadOnlyList<string> Routes() =>
        [.. Site.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<PageActionDescriptor>() is not null || e.DisplayName?.Contains("Health checks", StringComparison.Ordinal) == true)
            .Select(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'))
            .Distinct()
            .Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Every_endpoint_answers_each_kind_of_user_as_the_table_says()
    {
        var stuff = await SampleRowAsync();
        var bob = await Site.CreateUserAsync("bob");
        await Site.CreateStaffAsync("staffer");
        await Site.CreateUserAsync("root", superuser: true);
        string groupId;
        await using (var scope = Site.Services.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            var group = new IdentityRole("editors");
            Assert.True((await roles.CreateAsync(group)).Succeeded);
            groupId = group.Id;
        }
        var clients = new[] { Site.Client(), await Site.LoginAsync("bob"), await Site.LoginAsync("staffer"), await Site.LoginAsync("root") };

        var routes = Routes();
        Assert.Empty(routes.Except(Expected.Keys));
        Assert.Empty(Expected.Keys.Except(routes));

        var differences = new List<string>();
        foreach (var route in routes)
        {
            var expected = Expected[route].Split(' ');
            foreach (var url in Urls(route, stuff, bob.Id, groupId))
            {
                for (var i = 0; i < clients.Length; i++)
                {
                    var response = await clients[i].GetAsync(url);
                    var actual = Answer(response);
                    if (actual != expected[i]) differences.Add($"{url} as {Who[i]}: {actual}, expected {expected[i]}");
                }
            }
        }

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Fact]
    public async Task Every_post_handler_turns_away_anonymous_visitors_and_admin_ones_turn_away_users_who_are_not_staff()
    {
        var stuff = await SampleRowAsync();
        var bob = await Site.CreateUserAsync("bob");
        var anonymous = Site.Client();
        var user = await Site.LoginAsync("bob");
        var open = new[] { "/account/login", "/account/logout", "/error", "/status/{code:int}" };

        var differences = new List<string>();
        foreach (var route in Routes().Where(r => !open.Contains(r) && r is not ("/" or "/healthz" or "/readyz" or "/account/denied")))
        {
            foreach (var url in Urls(route, stuff, bob.Id, "1"))
            {
                var asAnonymous = Answer(await AdminSite.PostWithTokenAsync(anonymous, url, ("Version", "1")));
                // 405: the page has no POST handler, so there is nothing to turn away from.
                if (asAnonymous is not ("login" or "405")) differences.Add($"POST {url} as anonymous: {asAnonymous}");
                if (!route.StartsWith("/admin", StringComparison.Ordinal)) continue;
                var asUser = Answer(await AdminSite.PostWithTokenAsync(user, url, ("Version", "1")));
                if (asUser != "403") differences.Add($"POST {url} as a user who is not staff: {asUser}");
            }
        }

        Assert.True(differences.Count == 0, string.Join("\n", differences));
        //#if (sample)
        Assert.Equal(1, await Site.QueryAsync(db => Task.FromResult(db.Stuff.Count())));
        //#endif
        Assert.Equal(1, await Site.QueryAsync(db => Task.FromResult(db.Users.Count())));
    }

    /// <summary>The id of a row of the sample model, for the pages that open one (0 in a site without it).</summary>
#if nosample
    private static Task<int> SampleRowAsync() => Task.FromResult(0);
#else
    private async Task<int> SampleRowAsync() => (await Site.AddStuffAsync()).Id;
#endif

    private static IEnumerable<string> Urls(string route, int stuffId, string userId, string groupId)
    {
        if (route.Contains("{section}", StringComparison.Ordinal) && !route.EndsWith("/history", StringComparison.Ordinal))
        {
            //#if (sample)
            yield return RouteParameter().Replace(route.Replace("{section}", "stuff", StringComparison.Ordinal), stuffId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            //#endif
            yield break;
        }
        if (route.Contains("{section}", StringComparison.Ordinal))
        {
            //#if (sample)
            yield return $"/admin/stuff/{stuffId}/history";
            //#endif
            yield return $"/admin/users/{userId}/history";
            yield return $"/admin/groups/{groupId}/history";
            yield break;
        }
        var id = route.StartsWith("/admin/users", StringComparison.Ordinal) ? userId
            : route.StartsWith("/admin/groups", StringComparison.Ordinal) ? groupId
            : route.StartsWith("/status", StringComparison.Ordinal) ? "404"
            : stuffId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return RouteParameter().Replace(route, id);
    }

    private static string Answer(HttpResponseMessage response) =>
        (int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location?.ToString().Contains("/account/login", StringComparison.Ordinal) == true
            ? "login"
            : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
