using System.Net;
using System.Text.RegularExpressions;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

/// <summary>
/// Every POST handler the app has, found from its own endpoints (so a new page is covered
/// without touching this test), refuses a request without a valid antiforgery token, even
/// from a signed-in superuser who may do everything else.
/// </summary>
[Collection(SqliteCollection.Name)]
public sealed partial class AntiforgeryTests(SqliteSite site) : SiteTests(site)
{
    /// <summary>Pages the framework re-executes to render an error for a request that already failed; they change nothing.</summary>
    private static readonly string[] RenderOnly = ["/Error", "/Status"];

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    private async Task<IReadOnlyList<(string Page, string Url)>> PostHandlersAsync() =>
        [.. (await SitePage.AllAsync(Site.Services))
            .Where(p => !RenderOnly.Contains(p.Path))
            .SelectMany(p => p.PostHandlers.Select(h => (p.Path + (h is null ? "" : "?handler=" + h), RouteParameter().Replace(p.Route, "1") + (h is null ? "" : "?handler=" + h))))
            .Distinct()];

    [Fact]
    public async Task Every_post_handler_refuses_a_missing_or_forged_token()
    {
        await Site.CreateUserAsync("root", superuser: true);
        //#if (sample)
        await Site.AddStuffAsync();
        //#endif
        using var client = await Site.LoginAsync("root");
        var handlers = await PostHandlersAsync();
        Assert.True(handlers.Count >= 10, "too few POST handlers found: " + string.Join(", ", handlers.Select(h => h.Page)));
        Assert.Contains(handlers, h => h.Page == "/Account/Login");
        Assert.Contains(handlers, h => h.Page.StartsWith("/Admin/", StringComparison.Ordinal));

        var accepted = new List<string>();
        foreach (var (page, url) in handlers)
        {
            var missing = await client.PostAsync(url, new FormUrlEncodedContent([new("Version", "1")]));
            var forged = await client.PostAsync(url, new FormUrlEncodedContent([new("Version", "1"), new("__RequestVerificationToken", "CfDJ8forged")]));
            if (missing.StatusCode != HttpStatusCode.BadRequest) accepted.Add($"{page} without a token: {(int)missing.StatusCode}");
            if (forged.StatusCode != HttpStatusCode.BadRequest) accepted.Add($"{page} with a forged token: {(int)forged.StatusCode}");
        }

        Assert.True(accepted.Count == 0, "accepted without a valid token:\n" + string.Join("\n", accepted));
        //#if (sample)
        Assert.Equal(1, await Site.QueryAsync(db => Task.FromResult(db.Stuff.Count())));
        //#endif
    }
}
