using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Tests.Infrastructure;

/// <summary>Helpers for the admin tests: staff users with chosen permissions, and posts with a token.</summary>
public static class AdminSite
{
    /// <summary>Creates an active user; staff unless told otherwise, holding exactly <paramref name="permissions"/> directly.</summary>
    public static async Task<AppUser> CreateStaffAsync(this SiteFactory site, string userName, bool staff = true, params string[] permissions)
    {
        await using var scope = site.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = userName, Email = $"{userName}@example.org", IsStaff = staff, DateJoined = DateTime.UtcNow };
        var result = await users.CreateAsync(user, SiteFactory.Password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.UserClaims.AddRange(permissions.Select(p => new IdentityUserClaim<string> { UserId = user.Id, ClaimType = Permissions.ClaimType, ClaimValue = p }));
        await db.SaveChangesAsync();
        return user;
    }

    /// <summary>An antiforgery token for this client's current identity, from a page every visitor can open.</summary>
    public static async Task<string> TokenAsync(HttpClient client)
    {
        var page = await client.GetAsync("/account/login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return Forms.Token(await page.BodyAsync());
    }

    /// <summary>POSTs fields with a token, as a hand-made request would, without loading the form first.</summary>
    public static async Task<HttpResponseMessage> PostWithTokenAsync(HttpClient client, string url, params (string Name, string Value)[] fields)
    {
        var token = await TokenAsync(client);
        return await client.PostAsync(url, new FormUrlEncodedContent([.. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)), new("__RequestVerificationToken", token)]));
    }
}
