using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;
using Stuff.Pages.Admin.Models;
using Stuff.Pages.Stuff;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Pages.Admin;

public abstract class StuffAdminTests(SiteFactory site) : SiteTests(site)
{
    private async Task<HttpClient> SuperuserAsync()
    {
        await Site.CreateUserAsync("admin", superuser: true);
        return await Site.LoginAsync("admin");
    }

    /// <summary>The junk of the rows on a list page, in order.</summary>
    private static List<string> Junk(string html) =>
        [.. Regex.Matches(html, "<a href=\"/admin/stuff/\\d+/change\">([^<]*)</a>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    private async Task AddManyAsync(int count)
    {
        await Site.QueryAsync(async db =>
        {
            db.Stuff.AddRange(Enumerable.Range(1, count).Select(i => new StuffItem { Junk = $"item {i:D3}", Things = "bulk", SomeNum = i }));
            return await db.SaveChangesAsync();
        });
    }

    [Fact]
    public async Task Search_finds_junk_and_things_ignoring_case_and_takes_wildcards_literally()
    {
        await Site.AddStuffAsync("Red Apple", "fruit", 1);
        await Site.AddStuffAsync("banana", "yellow FRUIT, rather long", 2);
        await Site.AddStuffAsync("100% cotton", "shirt", 3);
        await Site.AddStuffAsync("cucumber", "green", 4);
        var client = await SuperuserAsync();

        Assert.Equal(["Red Apple", "banana"], Junk(await (await client.GetAsync("/admin/stuff?q=fruit&o=somenum")).BodyAsync()));
        Assert.Equal(["Red Apple"], Junk(await (await client.GetAsync("/admin/stuff?q=APPLE")).BodyAsync()));
        Assert.Equal(["100% cotton"], Junk(await (await client.GetAsync("/admin/stuff?q=%25")).BodyAsync()));
        Assert.Empty(Junk(await (await client.GetAsync("/admin/stuff?q=_")).BodyAsync()));
        Assert.Contains("No stuff found for this search.", await (await client.GetAsync("/admin/stuff?q=nothing")).BodyAsync());
    }

    [Theory]
    [InlineData("junk", new[] { "a", "b", "c" })]
    [InlineData("-junk", new[] { "c", "b", "a" })]
    [InlineData("somenum", new[] { "c", "a", "b" })]
    [InlineData("-somenum", new[] { "b", "a", "c" })]
    [InlineData("updated_at", new[] { "b", "c", "a" })]
    [InlineData("-updated_at", new[] { "a", "c", "b" })]
    [InlineData("things", new[] { "a", "c", "b" })]
    public async Task The_list_sorts_by_each_column_and_ignores_unknown_columns(string order, string[] expected)
    {
        // Added b, c, a in that order, a minute apart: the default (and an unknown column) is newest first.
        foreach (var (junk, num) in new[] { ("b", 3), ("c", 1), ("a", 2) })
        {
            await Site.AddStuffAsync(junk, "t", num);
            Site.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var client = await SuperuserAsync();

        var html = await (await client.GetAsync($"/admin/stuff?o={order}")).BodyAsync();

        Assert.Equal(expected, Junk(html));
    }

    [Fact]
    public async Task The_list_filters_by_update_date_and_refuses_a_filter_it_does_not_have()
    {
        await Site.AddStuffAsync("old");
        Site.Clock.Advance(TimeSpan.FromDays(40));
        await Site.AddStuffAsync("new");
        var client = await SuperuserAsync();
        var today = Site.Clock.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(["new"], Junk(await (await client.GetAsync($"/admin/stuff?updated_at.from={today}")).BodyAsync()));
        Assert.Equal(["old"], Junk(await (await client.GetAsync($"/admin/stuff?updated_at.to={Site.Clock.GetUtcNow().AddDays(-30):yyyy-MM-dd}")).BodyAsync()));
        var list = await (await client.GetAsync("/admin/stuff")).BodyAsync();
        Assert.Contains("Past 7 days", list);
        Assert.Contains($"href=\"?updated_at.from={today}&amp;updated_at.to={today}\"", list);

        foreach (var url in new[] { "/admin/stuff?colour=red", "/admin/stuff?updated_at.from=soon", "/admin/stuff?handler=export&updated_at.to=x", "/admin/stuff?junk=a" })
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode}");
        }
        Assert.Contains(Forms.Html("This list has no filter named “colour”."), await (await client.GetAsync("/admin/stuff?colour=red")).BodyAsync());
    }

    [Theory]
    [InlineData(100, null, 100, "page 1 of 1")]
    [InlineData(101, null, 100, "page 1 of 2")]
    [InlineData(101, "2", 1, "page 2 of 2")]
    [InlineData(101, "3", 1, "page 2 of 2")]
    [InlineData(101, "0", 100, "page 1 of 2")]
    [InlineData(101, "x", 100, "page 1 of 2")]
    [InlineData(0, null, 0, "No stuff yet.")]
    public async Task Pages_hold_a_hundred_rows_and_out_of_range_numbers_show_the_nearest_page(int rows, string? page, int shown, string says)
    {
        await AddManyAsync(rows);
        var client = await SuperuserAsync();

        var response = await client.GetAsync("/admin/stuff" + (page is null ? "" : $"?p={page}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Equal(shown, Junk(html).Count);
        Assert.Contains(says, html);
        if (rows > 0) Assert.Contains($"{rows} stuff", html);
        Assert.Equal(rows > 100, html.Contains("href=\"?p=2\"") || html.Contains("href=\"?p=1\""));
    }

    [Fact]
    public async Task Adding_changing_and_deleting_write_history_in_djangos_words()
    {
        var client = await SuperuserAsync();

        await Forms.AssertRedirectAsync(await Forms.PostAsync(client, "/admin/stuff/add",
            [new("Form.Junk", "first junk"), new("Form.Things", "things"), new("Form.SomeNum", "1")]));
        var item = await Site.QueryAsync(db => db.Stuff.SingleAsync());

        var page = await (await client.GetAsync($"/admin/stuff/{item.Id}/change")).BodyAsync();
        await Forms.AssertRedirectAsync(await client.PostAsync($"/admin/stuff/{item.Id}/change", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Version", Forms.Field(page, "Version")),
            new("Form.Junk", "second junk"), new("Form.Things", "things"), new("Form.SomeNum", "2")])));

        page = await (await client.GetAsync($"/admin/stuff/{item.Id}/change")).BodyAsync();
        await Forms.AssertRedirectAsync(await client.PostAsync($"/admin/stuff/{item.Id}/change", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Version", Forms.Field(page, "Version")),
            new("Form.Junk", "second junk"), new("Form.Things", "things"), new("Form.SomeNum", "2")])));

        page = await (await client.GetAsync($"/admin/stuff/{item.Id}/delete")).BodyAsync();
        var deleted = await client.PostAsync($"/admin/stuff/{item.Id}/delete", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Version", Forms.Field(page, "Version"))]));
        Assert.Equal("/admin/stuff", await Forms.AssertRedirectAsync(deleted));
        Assert.Contains(Forms.Html("Deleted “second junk”."), await (await client.GetAsync("/admin/stuff")).BodyAsync());

        var log = await Site.QueryAsync(db => db.Log.OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(
            [(LogAction.Added, "Added."), (LogAction.Changed, "Changed junk and somenum."), (LogAction.Changed, "No fields changed."), (LogAction.Deleted, "Deleted.")],
            log.Select(e => (e.Action, e.Message)));
        Assert.All(log, e => Assert.Equal(("admin", "stuff", item.Id.ToString()), (e.UserName, e.ObjectType, e.ObjectId)));

        // The row is gone; its history is not.
        var history = await client.GetAsync($"/admin/stuff/{item.Id}/history");
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        var html = await history.BodyAsync();
        Assert.Contains("This object has been deleted", html);
        Assert.Contains("Changed junk and somenum.", html);
        Assert.Contains("History of “second junk”", html);
    }

    [Fact]
    public async Task Invalid_input_and_unknown_ids_write_nothing()
    {
        var item = await Site.AddStuffAsync("keep", "things", 1);
        var client = await SuperuserAsync();

        var add = await Forms.PostAsync(client, "/admin/stuff/add", [new("Form.Junk", new string('x', 201)), new("Form.Things", ""), new("Form.SomeNum", "x")]);
        Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        var html = await add.BodyAsync();
        Assert.Contains("Junk must be at most 200 characters.", html);
        Assert.Contains("Enter some things.", html);

        var page = await (await client.GetAsync($"/admin/stuff/{item.Id}/change")).BodyAsync();
        var change = await client.PostAsync($"/admin/stuff/{item.Id}/change", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Version", Forms.Field(page, "Version")),
            new("Form.Junk", ""), new("Form.Things", "t"), new("Form.SomeNum", "1")]));
        Assert.Contains("Enter some junk.", await change.BodyAsync());
        var garbled = await client.PostAsync($"/admin/stuff/{item.Id}/change", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Version", "not a number"),
            new("Form.Junk", "changed"), new("Form.Things", "t"), new("Form.SomeNum", "1")]));
        Assert.Equal(HttpStatusCode.OK, garbled.StatusCode);
        Assert.Contains("The form was not sent whole; open the page again.", await garbled.BodyAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/stuff/999999/change")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/stuff/abc/change")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AdminSite.PostWithTokenAsync(client, "/admin/stuff/999999/delete", ("Version", "1"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/stuff/999999/history")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/things/1/history")).StatusCode);

        Assert.Equal("keep", (await Site.QueryAsync(db => db.Stuff.SingleAsync())).Junk);
        Assert.Equal(0, await Site.QueryAsync(db => db.Log.CountAsync()));
    }

    [Fact]
    public async Task A_stale_change_is_refused_and_shows_the_current_values()
    {
        var item = await Site.AddStuffAsync("original", "things", 1);
        var client = await SuperuserAsync();
        var page = await (await client.GetAsync($"/admin/stuff/{item.Id}/change")).BodyAsync();
        await Site.QueryAsync(async db =>
        {
            (await db.Stuff.SingleAsync()).Junk = "theirs";
            return await db.SaveChangesAsync();
        });

        var response = await client.PostAsync($"/admin/stuff/{item.Id}/change", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(page)), new("Version", Forms.Field(page, "Version")),
            new("Form.Junk", "mine"), new("Form.Things", "things"), new("Form.SomeNum", "1")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(StuffForm.ConflictHeading, await response.BodyAsync());
        Assert.Equal("theirs", (await Site.QueryAsync(db => db.Stuff.SingleAsync())).Junk);
        Assert.Equal(0, await Site.QueryAsync(db => db.Log.CountAsync()));
    }

    [Fact]
    public async Task Bulk_delete_lists_the_selection_and_deletes_only_on_confirmation()
    {
        var a = await Site.AddStuffAsync("alpha");
        var b = await Site.AddStuffAsync("beta");
        var c = await Site.AddStuffAsync("gamma");
        var client = await SuperuserAsync();
        var list = await (await client.GetAsync("/admin/stuff")).BodyAsync();

        // The token is taken from the bulk form itself: a browser submits only what the form holds.
        var bulkForm = list[list.IndexOf("action=\"/admin/stuff/delete-selected\"", StringComparison.Ordinal)..];
        var confirm = await client.PostAsync("/admin/stuff/delete-selected", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(bulkForm)), new("ids", a.Id.ToString()), new("ids", c.Id.ToString()), new("ids", "999999")]));

        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var html = await confirm.BodyAsync();
        Assert.Contains("Delete 2 stuff?", html);
        Assert.Contains("alpha", html);
        Assert.Contains("gamma", html);
        Assert.DoesNotContain("beta", html);
        Assert.Equal(3, await Site.QueryAsync(db => db.Stuff.CountAsync()));

        var done = await client.PostAsync("/admin/stuff/delete-selected?handler=Confirm", new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(html)), new("ids", a.Id.ToString()), new("ids", c.Id.ToString())]));

        Assert.Equal("/admin/stuff", await Forms.AssertRedirectAsync(done));
        Assert.Equal(["beta"], await Site.QueryAsync(db => db.Stuff.Select(s => s.Junk).ToListAsync()));
        var log = await Site.QueryAsync(db => db.Log.OrderBy(e => e.ObjectRepr).ToListAsync());
        Assert.Equal([("alpha", "Deleted."), ("gamma", "Deleted.")], log.Select(e => (e.ObjectRepr, e.Message)));
        Assert.Contains("Deleted 2 stuff.", await (await client.GetAsync("/admin/stuff")).BodyAsync());
    }

    [Fact]
    public async Task Bulk_delete_with_nothing_selected_deletes_nothing_and_says_so()
    {
        await Site.AddStuffAsync("alpha");
        var client = await SuperuserAsync();

        var response = await AdminSite.PostWithTokenAsync(client, "/admin/stuff/delete-selected?handler=Confirm");

        await Forms.AssertRedirectAsync(response);
        Assert.Contains(DeleteSelectedModel.NothingSelectedMessage(SiteModels.Stuff.Admin!), await (await client.GetAsync("/admin/stuff")).BodyAsync());
        Assert.Equal(1, await Site.QueryAsync(db => db.Stuff.CountAsync()));
    }

    [Theory]
    [InlineData("/admin/stuff/delete-selected")]
    [InlineData("/admin/stuff/delete-selected?handler=Confirm")]
    public async Task Bulk_delete_refuses_more_than_a_page_whole_and_deletes_nothing(string url)
    {
        await AddManyAsync(400);
        var ids = await Site.QueryAsync(db => db.Stuff.Select(s => s.Id).ToListAsync());
        var client = await SuperuserAsync();
        var list = await (await client.GetAsync("/admin/stuff")).BodyAsync();

        var response = await client.PostAsync(url, new FormUrlEncodedContent([
            new("__RequestVerificationToken", Forms.Token(list)), .. ids.Select(id => new KeyValuePair<string, string>("ids", id.ToString()))]));

        Assert.Equal("/admin/stuff", await Forms.AssertRedirectAsync(response));
        Assert.Contains(DeleteSelectedModel.TooManyMessage(SiteModels.Stuff.Admin!, 400), await (await client.GetAsync("/admin/stuff")).BodyAsync());
        Assert.Equal(400, await Site.QueryAsync(db => db.Stuff.CountAsync()));
        Assert.Equal(0, await Site.QueryAsync(db => db.Log.CountAsync()));
    }

    [Fact]
    public async Task Links_for_actions_the_user_may_not_take_are_not_shown()
    {
        await Site.AddStuffAsync("alpha");
        await Site.CreateStaffAsync("viewer", true, Permissions.StuffView);
        var client = await Site.LoginAsync("viewer");

        var html = await (await client.GetAsync("/admin/stuff")).BodyAsync();

        Assert.DoesNotContain("Add stuff", html);
        Assert.DoesNotContain("Delete selected", html);
        Assert.DoesNotContain("type=\"checkbox\"", html);
        var home = await (await client.GetAsync("/admin")).BodyAsync();
        Assert.Contains("href=\"/admin/stuff\"", home);
        Assert.DoesNotContain("href=\"/admin/users\"", home);
    }

    [Fact]
    public async Task The_export_is_every_row_of_the_searched_sorted_list_as_csv_streamed()
    {
        await AddManyAsync(250);
        await Site.AddStuffAsync("fruit, \"red\"", "fruit\non two lines", -5);
        await Site.AddStuffAsync("=HYPERLINK(\"http://evil.example\")", "fruit", 7);
        await Site.AddStuffAsync("+1 fruit", "@SUM(A1)", 8);
        var client = await SuperuserAsync();

        // Headers first, as a browser sees them: a streamed body has no length up front.
        var all = await client.GetAsync("/admin/stuff?handler=export", HttpCompletionOption.ResponseHeadersRead);
        var fruit = await client.GetAsync("/admin/stuff?handler=export&q=FRUIT&o=-somenum");

        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", all.Content.Headers.ContentType!.ToString());
        Assert.StartsWith("attachment; filename=\"stuff-", all.Content.Headers.ContentDisposition!.ToString());
        Assert.Null(all.Content.Headers.ContentLength);
        var lines = (await all.Content.ReadAsStringAsync()).Split("\r\n");
        Assert.Equal("id,junk,things,somenum,created_at,updated_at", lines[0]);
        Assert.Equal(1 + 253 + 1, lines.Length);
        Assert.Equal("", lines[^1]);

        var rows = (await fruit.Content.ReadAsStringAsync()).Split("\r\n")[1..^1];
        Assert.Equal(3, rows.Length);
        Assert.Matches(@"^\d+,'\+1 fruit,'@SUM\(A1\),8,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z,", rows[0]);
        Assert.Matches(@"^\d+,""'=HYPERLINK\(""""http://evil\.example""""\)"",fruit,7,", rows[1]);
        Assert.Matches(@"^\d+,""fruit, """"red"""""",""fruit\non two lines"",-5,", string.Join("\r\n", rows[2..]));
    }

    [Fact]
    public async Task Only_staff_who_may_see_stuff_may_export_it()
    {
        await Site.AddStuffAsync("secret junk");
        await Site.CreateStaffAsync("usersonly", true, Permissions.UserView);
        var staff = await Site.LoginAsync("usersonly");

        var anonymous = await Site.Client().GetAsync("/admin/stuff?handler=export");
        var refused = await staff.GetAsync("/admin/stuff?handler=export");

        await Forms.AssertRedirectAsync(anonymous);
        Assert.Contains("/account/login", anonymous.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("secret junk", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_list_links_to_the_export_of_what_it_shows()
    {
        await Site.AddStuffAsync("alpha");
        var client = await SuperuserAsync();

        var html = await (await client.GetAsync("/admin/stuff?q=alp&o=-junk&p=1")).BodyAsync();

        Assert.Contains("href=\"?q=alp&amp;o=-junk&amp;handler=export\"", html);
        Assert.Contains("Export these 1 stuff as CSV", html);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class StuffAdminTestsOnSqlite(SqliteSite site) : StuffAdminTests(site);

[Collection(PostgresCollection.Name)]
public sealed class StuffAdminTestsOnPostgres(PostgresSite site) : StuffAdminTests(site);
