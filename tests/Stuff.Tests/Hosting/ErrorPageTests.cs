using System.Net;
using Microsoft.AspNetCore.Hosting;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

[Collection(PostgresCollection.Name)]
public sealed class ErrorPageTests(PostgresSite site) : SiteTests(site)
{
    [Fact]
    public async Task A_failure_in_production_shows_a_request_id_and_no_details()
    {
        // A reachable database without the schema: the query itself fails.
        await using var unmigrated = await TestDatabase.CreateAsync(Site.Provider, Site.DataDirectory);
        using var broken = Site.WithWebHostBuilder(b => b.UseSetting("DATABASE_URL", unmigrated.Url));

        var response = await Forms.ReadsTheDatabaseAsync(Site.Client(broken));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Contains("Something went wrong", html);
        Assert.Matches("request id: <code>[^<]+</code>", html);
        Assert.DoesNotContain("Exception", html);
        Assert.DoesNotContain(" at ", html);
    }

    [Fact]
    public async Task An_unreachable_database_is_temporarily_unavailable_without_details()
    {
        using var broken = Site.WithWebHostBuilder(b => b.UseSetting("DATABASE_URL", "postgres://stuff:secret-password@127.0.0.1:1/nowhere"));

        var response = await Forms.ReadsTheDatabaseAsync(Site.Client(broken));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Contains("Temporarily unavailable", html);
        Assert.Matches("request id: <code>[^<]+</code>", html);
        Assert.DoesNotContain("Exception", html);
        Assert.DoesNotContain("secret-password", html);
        Assert.DoesNotContain(" at ", html);
    }

    [Fact]
    public async Task Unknown_addresses_get_the_friendly_not_found_page()
    {
        var response = await Site.Client().GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.BodyAsync();
        Assert.Contains("<title>Not found · Stuff</title>".Replace("·", "&#xB7;"), html);
        Assert.Contains("href=\"/\"", html);
    }
}
