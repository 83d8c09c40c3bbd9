using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Stuff.Configuration;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

public abstract class HealthTests(SiteFactory site) : SiteTests(site)
{
    [Fact]
    public async Task Healthz_says_the_process_answers()
    {
        var response = await Site.Client().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await response.BodyAsync()).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_is_ok_on_a_migrated_database()
    {
        var response = await Site.Client().GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checks = JsonDocument.Parse(await response.BodyAsync()).RootElement.GetProperty("checks");
        Assert.Equal("ok", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("ok", checks.GetProperty("migrations").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_names_pending_migrations_and_production_never_migrates_by_itself()
    {
        await using var empty = await TestDatabase.CreateAsync(Site.Provider, Site.DataDirectory);
        using var unmigrated = Site.WithWebHostBuilder(b => b.UseSetting("DATABASE_URL", empty.Url));

        var response = await Site.Client(unmigrated).GetAsync("/readyz");
        var again = await Site.Client(unmigrated).GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        var checks = JsonDocument.Parse(await again.BodyAsync()).RootElement.GetProperty("checks");
        Assert.Equal("failing", checks.GetProperty("migrations").GetProperty("status").GetString());
        Assert.Contains("stuff migrate", checks.GetProperty("migrations").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Readyz_names_an_unreachable_database()
    {
        var url = Site.Provider == DatabaseProvider.Postgres
            ? "postgres://nobody:secret-password@127.0.0.1:1/nowhere"
            : "sqlite:///proc/no-such-dir/stuff.db";
        using var broken = Site.WithWebHostBuilder(b => b.UseSetting("DATABASE_URL", url));

        var response = await Site.Client(broken).GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.BodyAsync();
        var database = JsonDocument.Parse(body).RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("failing", database.GetProperty("status").GetString());
        // The doctor's verdict, by the same code, so the balancer and the person at the server agree.
        if (Site.Provider == DatabaseProvider.Postgres) Assert.EndsWith(": not-running", database.GetProperty("detail").GetString());
        Assert.DoesNotContain("secret-password", body);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class HealthTestsOnSqlite(SqliteSite site) : HealthTests(site);

[Collection(PostgresCollection.Name)]
public sealed class HealthTestsOnPostgres(PostgresSite site) : HealthTests(site);
