using System.Net;
using Microsoft.EntityFrameworkCore;
using Stuff.Pages.Stuff;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Pages.Stuff;

public abstract class DeleteTests(SiteFactory site) : SiteTests(site)
{
    private static FormUrlEncodedContent Confirm(string page) =>
        new([new("__RequestVerificationToken", Forms.Token(page)), new("Version", Forms.Field(page, "Version"))]);

    [Fact]
    public async Task Anonymous_users_are_sent_to_login_and_nothing_is_deleted()
    {
        var item = await Site.AddStuffAsync();
        var client = Site.Client();

        var get = await client.GetAsync($"/delete/{item.Id}");
        var post = await client.PostAsync($"/delete/{item.Id}", new FormUrlEncodedContent([]));

        await Forms.AssertRedirectAsync(get);
        Assert.Contains("/account/login", get.Headers.Location!.ToString());
        await Forms.AssertRedirectAsync(post);
        Assert.Contains("/account/login", post.Headers.Location!.ToString());
        Assert.Equal(1, await Site.QueryAsync(db => db.Stuff.CountAsync()));
    }

    [Fact]
    public async Task Get_asks_for_confirmation_and_post_deletes()
    {
        var item = await Site.AddStuffAsync("doomed junk");
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();

        var page = await (await client.GetAsync($"/delete/{item.Id}")).BodyAsync();
        Assert.Contains("Delete stuff?", page);
        Assert.Contains("doomed junk", page);
        Assert.Equal(1, await Site.QueryAsync(db => db.Stuff.CountAsync()));

        var response = await client.PostAsync($"/delete/{item.Id}", Confirm(page));

        await Forms.AssertRedirectAsync(response);
        Assert.Equal("/", response.Headers.Location!.ToString());
        Assert.Equal(0, await Site.QueryAsync(db => db.Stuff.CountAsync()));
        Assert.Contains(Forms.Html("Deleted “doomed junk”."), await (await client.GetAsync("/")).BodyAsync());
    }

    [Fact]
    public async Task A_row_changed_after_the_confirmation_is_shown_again_instead_of_deleted()
    {
        var item = await Site.AddStuffAsync("before");
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();
        var page = await (await client.GetAsync($"/delete/{item.Id}")).BodyAsync();
        await Site.QueryAsync(async db =>
        {
            (await db.Stuff.SingleAsync()).Junk = "after";
            return await db.SaveChangesAsync();
        });

        var response = await client.PostAsync($"/delete/{item.Id}", Confirm(page));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Contains(StuffForm.ConflictHeading, html);
        Assert.Contains("after", html);
        Assert.Equal(1, await Site.QueryAsync(db => db.Stuff.CountAsync()));

        var again = await client.PostAsync($"/delete/{item.Id}", Confirm(html));
        await Forms.AssertRedirectAsync(again);
        Assert.Equal(0, await Site.QueryAsync(db => db.Stuff.CountAsync()));
    }

    [Fact]
    public async Task Deleting_what_is_already_gone_is_not_found()
    {
        var item = await Site.AddStuffAsync();
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();
        var page = await (await client.GetAsync($"/delete/{item.Id}")).BodyAsync();
        await Site.QueryAsync(db => db.Stuff.ExecuteDeleteAsync());

        var response = await client.PostAsync($"/delete/{item.Id}", Confirm(page));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class DeleteTestsOnSqlite(SqliteSite site) : DeleteTests(site);

[Collection(PostgresCollection.Name)]
public sealed class DeleteTestsOnPostgres(PostgresSite site) : DeleteTests(site);
