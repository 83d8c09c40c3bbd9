using Stuff.Data;
using Stuff.Hosting;
using System.Net;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Pages.Stuff;

public abstract class ListTests(SiteFactory site) : SiteTests(site)
{
    [Fact]
    public async Task Anonymous_visitors_see_the_list()
    {
        await Site.AddStuffAsync("first junk", "first things", 1);
        await Site.AddStuffAsync("second <b>junk</b>", "second things", -7);

        var response = await Site.Client().GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Contains("first junk", html);
        Assert.Contains("second &lt;b&gt;junk&lt;/b&gt;", html);
        Assert.Contains(">-7<", html);
        Assert.Contains("2 items", html);
    }

    [Fact]
    public async Task An_empty_list_invites_to_make_new_stuff()
    {
        var html = await (await Site.Client().GetAsync("/")).BodyAsync();

        Assert.Contains("No stuff yet.", html);
        Assert.Contains("href=\"/new\"", html);
    }

    [Fact]
    public async Task The_footer_shows_the_version()
    {
        var html = await (await Site.Client().GetAsync("/")).BodyAsync();

        Assert.Contains($"Stuff {AppInfo.Version} (", html);
    }

    [Theory]
    [InlineData("?page=2", 2)]
    [InlineData("?page=3", 2)]
    [InlineData("?page=0", 1)]
    [InlineData("?page=-5", 1)]
    [InlineData("?page=abc", 1)]
    [InlineData("?page=99999999999999", 1)]
    public async Task Pages_hold_a_hundred_rows_and_odd_page_numbers_show_a_real_page(string query, int expectedPage)
    {
        await Site.QueryAsync(async db =>
        {
            for (var i = 1; i <= 150; i++) db.Stuff.Add(new StuffItem { Junk = $"junk #{i:000}", Things = "t", SomeNum = i });
            return await db.SaveChangesAsync();
        });

        var response = await Site.Client().GetAsync("/" + query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Contains($"page {expectedPage} of 2", html);
        Assert.Contains(expectedPage == 1 ? "junk #001" : "junk #101", html);
        Assert.DoesNotContain(expectedPage == 1 ? "junk #101" : "junk #100", html);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class ListTestsOnSqlite(SqliteSite site) : ListTests(site);

[Collection(PostgresCollection.Name)]
public sealed class ListTestsOnPostgres(PostgresSite site) : ListTests(site);
