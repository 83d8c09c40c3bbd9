using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stuff.Data;
using Stuff.Pages.Account;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Pages.Account;

public abstract class LoginTests(SiteFactory site) : SiteTests(site)
{
    private Task<HttpResponseMessage> Login(HttpClient client, string user, string password, string url = "/account/login") =>
        Forms.PostAsync(client, url, [new("Form.Username", user), new("Form.Password", password)]);

    [Fact]
    public async Task A_right_password_signs_in_and_records_the_time()
    {
        await Site.CreateUserAsync();
        var client = Site.Client();

        var response = await Login(client, "alice", SiteFactory.Password);

        await Forms.AssertRedirectAsync(response);
        Assert.Equal("/", response.Headers.Location!.ToString());
        Assert.Contains("Signed in as <strong>alice</strong>", await (await client.GetAsync("/")).BodyAsync());
        Assert.NotNull((await Site.QueryAsync(db => db.Users.SingleAsync())).LastLogin);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_the_same_answer()
    {
        await Site.CreateUserAsync();

        var wrongPassword = await (await Login(Site.Client(), "alice", "not the password at all")).BodyAsync();
        var unknownUser = await (await Login(Site.Client(), "nobody", "not the password at all")).BodyAsync();

        Assert.Contains(Forms.Html(LoginModel.FailedMessage), wrongPassword);
        Assert.Contains(Forms.Html(LoginModel.FailedMessage), unknownUser);
        Assert.Contains("value=\"alice\"", wrongPassword);
    }

    [Fact]
    public async Task A_deactivated_account_cannot_sign_in()
    {
        var user = await Site.CreateUserAsync();
        await Site.QueryAsync(async db =>
        {
            (await db.Users.SingleAsync()).IsActive = false;
            return await db.SaveChangesAsync();
        });

        var response = await Login(Site.Client(), "alice", SiteFactory.Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Forms.Html(LoginModel.FailedMessage), await response.BodyAsync());
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task The_return_url_is_only_followed_when_it_is_a_local_path(string returnUrl)
    {
        await Site.CreateUserAsync();

        var response = await Login(Site.Client(), "alice", SiteFactory.Password, "/account/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));

        await Forms.AssertRedirectAsync(response);
        Assert.Equal("/", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Logout_is_a_post_and_ends_the_session()
    {
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();

        var get = await client.GetAsync("/account/logout");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Contains("Signed in as", await get.BodyAsync());

        var response = await Forms.PostAsync(client, "/account/logout", []);

        await Forms.AssertRedirectAsync(response);
        var list = await (await client.GetAsync("/")).BodyAsync();
        Assert.DoesNotContain("Signed in as", list);
        Assert.Contains("You are logged out.", list);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/account/password")).StatusCode);
    }

    [Fact]
    public async Task Users_change_their_own_password_after_the_rules_are_met()
    {
        await Site.CreateUserAsync();
        var client = await Site.LoginAsync();

        var wrongCurrent = await (await Forms.PostAsync(client, "/account/password", Forms.PasswordFields("wrong current password", "brand new passphrase here", "brand new passphrase here"))).BodyAsync();
        Assert.Contains("Your current password is not correct.", wrongCurrent);

        var mismatch = await (await Forms.PostAsync(client, "/account/password", Forms.PasswordFields(SiteFactory.Password, "brand new passphrase here", "something else entirely"))).BodyAsync();
        Assert.Contains(Forms.Html("The two new passwords don't match."), mismatch);

        var common = await (await Forms.PostAsync(client, "/account/password", Forms.PasswordFields(SiteFactory.Password, "Password1!", "Password1!"))).BodyAsync();
        Assert.Contains("Passwords must be at least 12 characters.", common);
        var common12 = await (await Forms.PostAsync(client, "/account/password", Forms.PasswordFields(SiteFactory.Password, "Password2024!", "Password2024!"))).BodyAsync();
        Assert.Contains("This password is too common.", common12);

        var ok = await Forms.PostAsync(client, "/account/password", Forms.PasswordFields(SiteFactory.Password, "brand new passphrase here", "brand new passphrase here"));
        await Forms.AssertRedirectAsync(ok);

        await Site.LoginAsync("alice", "brand new passphrase here");
        Assert.Contains(Forms.Html(LoginModel.FailedMessage),
            await (await Login(Site.Client(), "alice", SiteFactory.Password)).BodyAsync());
    }

    [Fact]
    public async Task Changing_the_password_needs_a_login()
    {
        var response = await Site.Client().GetAsync("/account/password");

        await Forms.AssertRedirectAsync(response);
        Assert.Contains("/account/login", response.Headers.Location!.ToString());
    }

    /// <summary>Counts how often a password is checked against a hash.</summary>
    private sealed class CountingHasher : PasswordHasher<AppUser>
    {
        public int Verified;

        public override PasswordVerificationResult VerifyHashedPassword(AppUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref Verified);
            return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    [Fact]
    public async Task An_unknown_username_costs_a_password_check_like_a_wrong_password()
    {
        await Site.CreateUserAsync();
        var hasher = new CountingHasher();
        using var counted = Site.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IPasswordHasher<AppUser>>(hasher)));

        await Login(Site.Client(counted), "alice", "not the password at all");
        var forWrongPassword = hasher.Verified;
        await Login(Site.Client(counted), "nobody", "not the password at all");

        Assert.Equal(1, forWrongPassword);
        Assert.Equal(2, hasher.Verified);
    }

    [Fact]
    public async Task Many_failures_from_one_address_block_it_for_every_account_without_naming_one()
    {
        await Site.CreateUserAsync();
        for (var i = 0; i < global::Stuff.Accounts.LoginThrottle.MaxFailures; i++)
            Assert.Equal(HttpStatusCode.OK, (await Login(Site.Client(), $"guess{i}", "a password tried on many accounts")).StatusCode);

        var blocked = await Login(Site.Client(), "alice", SiteFactory.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        var body = await blocked.BodyAsync();
        Assert.Contains(Forms.Html(LoginModel.ThrottledMessage), body);
        Assert.DoesNotContain(Forms.Html(LoginModel.FailedMessage), body);
        Assert.Null(blocked.Headers.Location);
        await using var scope = Site.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        Assert.False(await users.IsLockedOutAsync((await users.FindByNameAsync("alice"))!), "the address is blocked, not the account");
    }

    [Fact]
    public async Task Five_failures_lock_the_account_for_a_while()
    {
        await Site.CreateUserAsync();
        for (var i = 0; i < 5; i++) await Login(Site.Client(), "alice", "wrong password number " + i);

        var response = await Login(Site.Client(), "alice", SiteFactory.Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Forms.Html(LoginModel.FailedMessage), await response.BodyAsync());
        await using var scope = Site.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        Assert.True(await users.IsLockedOutAsync((await users.FindByNameAsync("alice"))!));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class LoginTestsOnSqlite(SqliteSite site) : LoginTests(site);

[Collection(PostgresCollection.Name)]
public sealed class LoginTestsOnPostgres(PostgresSite site) : LoginTests(site);
