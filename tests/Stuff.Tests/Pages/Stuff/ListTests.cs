using System.Net;
using Microsoft.EntityFrameworkCore;
using Stuff.Data;
using Stuff.Hosting;
using Stuff.Pages.Stuff;
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
    public async Task Rows_encode_their_values_in_text_and_attributes_and_link_to_their_row()
    {
        var id = (await Site.AddStuffAsync("a \"quoted\" <i>junk</i> & co", "things & <more>", 42)).Id;

        var html = await (await Site.Client().GetAsync("/")).BodyAsync();

        const string junk = "a &quot;quoted&quot; &lt;i&gt;junk&lt;/i&gt; &amp; co";
        Assert.Contains($"<td data-label=\"Junk\">{junk}</td>", html);
        Assert.Contains("<td class=\"things\" data-label=\"Things\">things &amp; &lt;more&gt;</td>", html);
        Assert.Contains("<td class=\"num\" data-label=\"Some number\">42</td>", html);
        Assert.Contains($"<a href=\"/edit/{id}\" aria-label=\"Edit {junk}\">Edit</a>", html);
        Assert.Contains($"<a href=\"/delete/{id}\" aria-label=\"Delete {junk}\">Delete</a>", html);
    }

    [Fact]
    public async Task A_page_of_long_values_is_sent_whole()
    {
        // A hundred rows of 3,000 characters: many of the rows' chunks, several times the
        // response writer's buffer.
        var things = new string('x', 2990) + " <end>";
        await Site.QueryAsync(async db =>
        {
            for (var i = 1; i <= 100; i++) db.Stuff.Add(new StuffItem { Junk = $"long #{i:000}", Things = things, SomeNum = i });
            return await db.SaveChangesAsync();
        });

        var response = await Site.Client().GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Equal(100, html.Split("x &lt;end&gt;</td>").Length - 1);
        Assert.Contains("long #100", html);
        Assert.EndsWith("</html>", html.TrimEnd());
    }

    [Fact]
    public async Task An_empty_list_invites_visitors_to_log_in_to_make_new_stuff()
    {
        var html = await (await Site.Client().GetAsync("/")).BodyAsync();

        Assert.Contains("No stuff yet.", html);
        Assert.Contains("href=\"/account/login?ReturnUrl=%2Fnew\">Log in to make new stuff.</a>", html);
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

    [Fact]
    public async Task Next_and_previous_walk_the_list_by_id()
    {
        await SeedAsync(250);
        var client = Site.Client();
        var ids = await Site.QueryAsync(db => db.Stuff.OrderBy(s => s.Id).Select(s => s.Id).ToListAsync());

        var first = await (await client.GetAsync("/")).BodyAsync();
        Assert.DoesNotContain("rel=\"prev\"", first);
        Assert.Contains($"href=\"?after={ids[99]}\" rel=\"next\"", first);

        var second = await (await client.GetAsync($"/?after={ids[99]}")).BodyAsync();
        Assert.Contains("junk #101", second);
        Assert.Contains("junk #200", second);
        Assert.DoesNotContain("junk #100<", second);
        Assert.Contains($"href=\"?before={ids[100]}\" rel=\"prev\"", second);
        Assert.Contains($"href=\"?after={ids[199]}\" rel=\"next\"", second);

        var last = await (await client.GetAsync($"/?after={ids[199]}")).BodyAsync();
        Assert.Contains("junk #250", last);
        Assert.DoesNotContain("rel=\"next\"", last);

        var back = await (await client.GetAsync($"/?before={ids[100]}")).BodyAsync();
        Assert.Contains("junk #001", back);
        Assert.Contains("junk #100", back);
        Assert.DoesNotContain("rel=\"prev\"", back);
        Assert.Contains("rel=\"next\"", back);
    }

    [Theory]
    [InlineData("?after=2147483647")]
    [InlineData("?before=1")]
    [InlineData("?before=-5")]
    public async Task Keyset_links_past_either_end_show_an_empty_page(string query)
    {
        await SeedAsync(3);

        var response = await Site.Client().GetAsync("/" + query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("No stuff on this page.", await response.BodyAsync());
    }

    [Theory]
    [InlineData("?after=abc")]
    [InlineData("?before=1e9")]
    [InlineData("?page=&after=")]
    public async Task Unusable_keyset_values_show_the_first_page(string query)
    {
        await SeedAsync(3);

        var response = await Site.Client().GetAsync("/" + query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("junk #001", await response.BodyAsync());
    }

    [Fact]
    public async Task Exactly_one_page_has_no_links()
    {
        await SeedAsync(100);

        var html = await (await Site.Client().GetAsync("/")).BodyAsync();

        Assert.Contains("100 items · page 1 of 1", html.Replace("&#xB7;", "·", StringComparison.Ordinal));
        Assert.DoesNotContain("rel=\"next\"", html);
        Assert.DoesNotContain("rel=\"prev\"", html);
    }

    [Fact]
    public async Task A_list_that_fits_on_one_page_counts_its_rows_without_remembering()
    {
        await SeedAsync(3);
        Assert.Contains("3 items", await (await Site.Client().GetAsync("/")).BodyAsync());

        await Site.QueryAsync(db => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version) VALUES ('elsewhere', 't', 1, '2026-01-01', '2026-01-01', 1)"));

        Assert.Contains("4 items", await (await Site.Client().GetAsync("/")).BodyAsync());
    }

    [Fact]
    public async Task A_longer_list_counts_changes_saved_here_at_once_and_others_within_the_count_lifetime()
    {
        await SeedAsync(150);
        var client = Site.Client();
        Assert.Contains("150 items", await (await client.GetAsync("/")).BodyAsync());

        await Site.AddStuffAsync("added here", "t", 1);
        Assert.Contains("151 items", await (await client.GetAsync("/")).BodyAsync());

        // Another instance (or psql) adds a row: this one's count is remembered a little longer.
        await Site.QueryAsync(db => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version) VALUES ('elsewhere', 't', 1, '2026-01-01', '2026-01-01', 1)"));
        Assert.Contains("151 items", await (await client.GetAsync("/")).BodyAsync());

        Site.Clock.Advance(StuffTableSize.Lifetime);
        Assert.Contains("152 items", await (await client.GetAsync("/")).BodyAsync());
    }

    protected Task SeedAsync(int count) => Site.QueryAsync(async db =>
    {
        for (var i = 1; i <= count; i++) db.Stuff.Add(new StuffItem { Junk = $"junk #{i:000}", Things = "t", SomeNum = i });
        return await db.SaveChangesAsync();
    });
}

[Collection(SqliteCollection.Name)]
public sealed class ListTestsOnSqlite(SqliteSite site) : ListTests(site);

[Collection(PostgresCollection.Name)]
public sealed class ListTestsOnPostgres(PostgresSite site) : ListTests(site)
{
    [Fact]
    public async Task A_large_table_shows_an_estimate_and_refuses_deep_page_numbers()
    {
        await Site.QueryAsync(db => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version) " +
            "SELECT 'junk ' || n, 't', n, now(), now(), 1 FROM generate_series(1, 12000) AS n; ANALYZE stuff;"));
        // A host of its own, so no estimate remembered from an earlier test's small table is used here, nor this one later.
        using var large = Site.WithWebHostBuilder(_ => { });
        var client = Site.Client(large);

        var first = await (await client.GetAsync("/")).BodyAsync();
        Assert.Contains("about 12,000 items", first);
        Assert.DoesNotContain("page 1 of", first);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/?page={IndexModel.MaxPageNumber}")).StatusCode);
        var deep = await client.GetAsync($"/?page={IndexModel.MaxPageNumber + 1}");
        Assert.Equal(HttpStatusCode.BadRequest, deep.StatusCode);
        Assert.Contains("use Next and Previous to go further", await deep.BodyAsync());
    }
}
