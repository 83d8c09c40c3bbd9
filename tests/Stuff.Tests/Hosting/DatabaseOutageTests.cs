using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

/// <summary>
/// The database goes away while the site serves (its port stops answering and open connections
/// break, as when PostgreSQL restarts), then comes back: the site answers 503 meanwhile and
/// recovers by itself, without a restart.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("stuff-outage-").FullName;
    private TestDatabase _database = null!;
    private TcpRelay _relay = null!;
    private WebApplicationFactory<Program> _site = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, _dataDirectory);
        var url = new Uri(_database.Url);
        _relay = new TcpRelay(url.Port);
        _relay.Start();
        var relayed = new UriBuilder(url) { Port = _relay.Port }.Uri.ToString();
        _site = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("DATABASE_URL", relayed);
            b.UseSetting("STUFF_DATA_DIR", _dataDirectory);
        });
        await using var scope = _site.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().MigrateStuffAsync();
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _relay.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Pages_answer_503_while_the_database_is_away_and_the_site_recovers_by_itself()
    {
        using var client = _site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await Forms.ReadsTheDatabaseAsync(client)).StatusCode);

        await _relay.StopAsync();

        var page = await Forms.ReadsTheDatabaseAsync(client);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal("5", page.Headers.RetryAfter?.ToString());
        var body = await page.Content.ReadAsStringAsync();
        Assert.Contains("Temporarily unavailable", body);
        Assert.DoesNotContain("Exception", body);
        Assert.DoesNotContain("Npgsql", body);

        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var database = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("failing", database.GetProperty("status").GetString());
        Assert.Contains("not-running", database.ToString());

        _relay.Start();

        var status = HttpStatusCode.ServiceUnavailable;
        for (var i = 0; i < 50 && status != HttpStatusCode.OK; i++)
        {
            await Task.Delay(200);
            status = (await Forms.ReadsTheDatabaseAsync(client)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }
}
