using System.Net;

namespace Stuff.Tests.Infrastructure;

/// <summary>Signing in to a site of the tests through its login form.</summary>
public static class SiteLogins
{
    public static async Task<HttpClient> LoginAsync(this SiteFactory site, string userName = "alice", string password = SiteFactory.Password, HttpClient? client = null)
    {
        client ??= site.Client();
        var response = await Forms.PostAsync(client, "account/login", [new("Form.Username", userName), new("Form.Password", password)]);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}
