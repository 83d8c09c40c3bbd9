using System.Net;
using Microsoft.EntityFrameworkCore;
using Stuff.Data;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Pages.Stuff;

public abstract class NewTests(SiteFactory site) : SiteTests(site)
{
    private static KeyValuePair<string, string>[] Fields(string junk, string things, string someNum) =>
        [new("Form.Junk", junk), new("Form.Things", things), new("Form.SomeNum", someNum)];

    [Fact]
    public async Task Anonymous_users_are_sent_to_login_and_come_back_afterwards()
    {
        var client = Site.Client();

        var response = await client.GetAsync("/new");

        await Forms.AssertRedirectAsync(response);
        var login = response.Headers.Location!.ToString();
        Assert.StartsWith("https://localhost/account/login?ReturnUrl=%2Fnew", login);

        await Site.CreateUserAsync();
        var afterLogin = await Forms.PostAsync(client, login,
            [new("Form.Username", "alice"), new("Form.Password", SiteFactory.Password)]);
        await Forms.AssertRedirectAsync(afterLogin);
        Assert.Equal("/new", afterLogin.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Anonymous_posts_write_nothing()
    {
        var client = Site.Client();
        var form = await client.GetAsync("/account/login");
        var token = Forms.Token(await form.BodyAsync());

        var response = await client.PostAsync("/new", new FormUrlEncodedContent([.. Fields("j", "t", "1"), new("__RequestVerificationToken", token)]));

        await Forms.AssertRedirectAsync(response);
        Assert.Contains("/account/login", response.Headers.Location!.ToString());
        Assert.Equal(0, await Site.QueryAsync(db => db.Stuff.CountAsync()));
    }

    [Fact]
    public async Task A_valid_form_creates_the_row_and_says_so_once()
    {
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();

        var response = await Forms.PostAsync(client, "/new", Fields("  my junk  ", "line one\nline two", "-2147483648"));

        await Forms.AssertRedirectAsync(response);
        Assert.Equal("/", response.Headers.Location!.ToString());
        var row = await Site.QueryAsync(db => db.Stuff.SingleAsync());
        Assert.Equal(("my junk", "line one\nline two", int.MinValue), (row.Junk, row.Things, row.SomeNum));
        Assert.NotEqual(default, row.CreatedAt);
        Assert.Equal(row.CreatedAt, row.UpdatedAt);

        var list = await (await client.GetAsync("/")).BodyAsync();
        Assert.Contains(Forms.Html("Saved “my junk”."), list);
        var again = await (await client.GetAsync("/")).BodyAsync();
        Assert.DoesNotContain("Saved", again);
    }

    public static TheoryData<string, string, string, string, string> BadInput => new()
    {
        // junk, things, somenum, field with the error, message
        { "", "things", "1", "Form.Junk", "Enter some junk." },
        { "   ", "things", "1", "Form.Junk", "Enter some junk." },
        { new string('x', 201), "things", "1", "Form.Junk", "Junk must be at most 200 characters." },
        { "junk", "", "1", "Form.Things", "Enter some things." },
        { "junk", "things", "", "Form.SomeNum", "Enter a whole number." },
        { "junk", "things", "abc", "Form.SomeNum", "&#x27;abc&#x27; is not a valid value." },
        { "junk", "things", "1.5", "Form.SomeNum", "&#x27;1.5&#x27; is not a valid value." },
        { "junk", "things", "2147483648", "Form.SomeNum", "&#x27;2147483648&#x27; is not a valid value." },
        { "junk", "things", "-2147483649", "Form.SomeNum", "&#x27;-2147483649&#x27; is not a valid value." },
        { "junk", "things", "1e3", "Form.SomeNum", "&#x27;1e3&#x27; is not a valid value." },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_shown_next_to_the_field_with_the_input_kept_and_nothing_written(
        string junk, string things, string someNum, string field, string message)
    {
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();

        var response = await Forms.PostAsync(client, "/new", Fields(junk, things, someNum));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Contains($"data-valmsg-for=\"{field}\" data-valmsg-replace=\"true\">{message}</span>", html);
        if (junk.Trim().Length > 0) Assert.Contains($"value=\"{junk}\"", html);
        if (someNum.Length > 0) Assert.Contains($"value=\"{someNum}\"", html);
        Assert.Equal(0, await Site.QueryAsync(db => db.Stuff.CountAsync()));
    }

    [Fact]
    public async Task Junk_of_exactly_200_characters_is_accepted()
    {
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();

        var response = await Forms.PostAsync(client, "/new", Fields(new string('é', 200), "things", "2147483647"));

        await Forms.AssertRedirectAsync(response);
        Assert.Equal(200, (await Site.QueryAsync(db => db.Stuff.SingleAsync())).Junk.Length);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();

        var response = await client.PostAsync("/new", new FormUrlEncodedContent(Fields("junk", "things", "1")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await Site.QueryAsync(db => db.Stuff.CountAsync()));
    }

    [Fact]
    public async Task The_schema_refuses_what_the_form_refuses()
    {
        var tooLong = new StuffItem { Junk = new string('x', 201), Things = "t", SomeNum = 1 };
        var blank = new StuffItem { Junk = "  ", Things = "t", SomeNum = 1 };

        foreach (var bad in new[] { tooLong, blank })
        {
            await Assert.ThrowsAsync<DbUpdateException>(() => Site.QueryAsync(db =>
            {
                db.Stuff.Add(bad);
                return db.SaveChangesAsync();
            }));
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class NewTestsOnSqlite(SqliteSite site) : NewTests(site);

[Collection(PostgresCollection.Name)]
public sealed class NewTestsOnPostgres(PostgresSite site) : NewTests(site);
