using System.Net;
using Microsoft.EntityFrameworkCore;
using Stuff.Pages.Stuff;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Pages.Stuff;

public abstract class EditTests(SiteFactory site) : SiteTests(site)
{
    private static string Version(string html) => Forms.Field(html, "Version");

    private static FormUrlEncodedContent Form(string token, string version, string junk, string things = "things", string someNum = "1") =>
        new([new("__RequestVerificationToken", token), new("Version", version), new("Form.Junk", junk), new("Form.Things", things), new("Form.SomeNum", someNum)]);

    [Fact]
    public async Task Anonymous_users_are_sent_to_login()
    {
        var item = await Site.AddStuffAsync();

        var response = await Site.Client().GetAsync($"/edit/{item.Id}");

        await Forms.AssertRedirectAsync(response);
        Assert.Contains($"/account/login?ReturnUrl=%2Fedit%2F{item.Id}", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task The_form_shows_the_current_values_and_a_save_changes_them()
    {
        var item = await Site.AddStuffAsync("old junk", "old things", 5);
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();

        var page = await (await client.GetAsync($"/edit/{item.Id}")).BodyAsync();
        Assert.Contains("value=\"old junk\"", page);
        Assert.Contains("old things</textarea>", page);

        var response = await client.PostAsync($"/edit/{item.Id}", Form(Forms.Token(page), Version(page), "new junk", "new things", "6"));

        await Forms.AssertRedirectAsync(response);
        var row = await Site.QueryAsync(db => db.Stuff.SingleAsync());
        Assert.Equal(("new junk", "new things", 6), (row.Junk, row.Things, row.SomeNum));
        Assert.True(row.Version > item.Version);
        Assert.True(row.UpdatedAt >= row.CreatedAt);
        Assert.Contains(Forms.Html("Saved “new junk”."), await (await client.GetAsync("/")).BodyAsync());
    }

    [Fact]
    public async Task Invalid_input_keeps_the_row_unchanged()
    {
        var item = await Site.AddStuffAsync("old junk", "old things", 5);
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();
        var page = await (await client.GetAsync($"/edit/{item.Id}")).BodyAsync();

        var response = await client.PostAsync($"/edit/{item.Id}", Form(Forms.Token(page), Version(page), "", "x", "nope"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Contains("Enter some junk.", html);
        Assert.Contains("value=\"nope\"", html);
        Assert.Equal("old junk", (await Site.QueryAsync(db => db.Stuff.SingleAsync())).Junk);
    }

    [Fact]
    public async Task A_second_editor_is_told_of_the_first_edit_instead_of_overwriting_it()
    {
        var item = await Site.AddStuffAsync("original", "things", 1);
        await Site.CreateUserAsync("alice");
        await Site.CreateUserAsync("bob");
        var alice = await Site.LoginAsync("alice");
        var bob = await Site.LoginAsync("bob");
        var alicePage = await (await alice.GetAsync($"/edit/{item.Id}")).BodyAsync();
        var bobPage = await (await bob.GetAsync($"/edit/{item.Id}")).BodyAsync();

        var first = await alice.PostAsync($"/edit/{item.Id}", Form(Forms.Token(alicePage), Version(alicePage), "alice's junk", "alice's things", "2"));
        await Forms.AssertRedirectAsync(first);

        var second = await bob.PostAsync($"/edit/{item.Id}", Form(Forms.Token(bobPage), Version(bobPage), "bob's junk", "bob's things", "3"));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var html = await second.BodyAsync();
        Assert.Contains(StuffForm.ConflictHeading, html);
        Assert.Contains(Forms.Html("alice's junk"), html);
        Assert.Contains("value=\"" + Forms.Html("bob's junk") + "\"", html);
        Assert.Equal("alice's junk", (await Site.QueryAsync(db => db.Stuff.SingleAsync())).Junk);

        // Having seen the other change, saving again is a decision, and it goes through.
        var third = await bob.PostAsync($"/edit/{item.Id}", Form(Forms.Token(html), Version(html), "bob's junk", "bob's things", "3"));
        await Forms.AssertRedirectAsync(third);
        Assert.Equal("bob's junk", (await Site.QueryAsync(db => db.Stuff.SingleAsync())).Junk);
    }

    [Fact]
    public async Task A_stale_save_that_changes_nothing_is_still_a_conflict()
    {
        var item = await Site.AddStuffAsync("same", "things", 1);
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();
        var page = await (await client.GetAsync($"/edit/{item.Id}")).BodyAsync();
        await Site.QueryAsync(async db =>
        {
            var row = await db.Stuff.SingleAsync();
            row.SomeNum = 99;
            return await db.SaveChangesAsync();
        });

        var response = await client.PostAsync($"/edit/{item.Id}", Form(Forms.Token(page), Version(page), "same", "things", "1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(StuffForm.ConflictHeading, await response.BodyAsync());
        Assert.Equal(99, (await Site.QueryAsync(db => db.Stuff.SingleAsync())).SomeNum);
    }

    [Theory]
    [InlineData("/edit/999999")]
    [InlineData("/edit/abc")]
    [InlineData("/edit/99999999999999999999")]
    [InlineData("/delete/999999")]
    [InlineData("/delete/abc")]
    public async Task Unknown_ids_get_the_not_found_page(string url)
    {
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();

        var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Not found", await response.BodyAsync());
    }
}

[Collection(SqliteCollection.Name)]
public sealed class EditTestsOnSqlite(SqliteSite site) : EditTests(site);

[Collection(PostgresCollection.Name)]
public sealed class EditTestsOnPostgres(PostgresSite site) : EditTests(site);
