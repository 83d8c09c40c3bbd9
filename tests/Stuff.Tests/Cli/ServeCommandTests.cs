using System.Net;
using Stuff.Configuration;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Cli;

/// <summary>
/// The README's promise, end to end on a real Kestrel: migrate, create a superuser from a
/// script, log in with the antiforgery token, create a row and see it in the list.
/// </summary>
public abstract class ServeCommandTests(DatabaseProvider provider) : CliTests(provider)
{
    private const string Password = "a very fine passphrase";

    [Fact]
    public async Task A_scripted_superuser_logs_in_to_the_served_site_and_works_there()
    {
        await MigratedAsync();
        var create = await Stuff.With("STUFF_SUPERUSER_PASSWORD", "the first passphrase").RunAsync("createsuperuser", "--username", "admin", "--email", "admin@example.org", "--no-input");
        AssertSucceeded(create);
        AssertSucceeded(await Stuff.RunWithInputAsync($"{Password}\n{Password}\n", "changepassword", "admin"));

        await using var server = await ServedSite.StartAsync(Stuff);
        var address = server.Address;
        try
        {
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
            {
                BaseAddress = new Uri(address + "/"),
            };

            var login = await Forms.PostAsync(client, "account/login", [new("Form.Username", "admin"), new("Form.Password", Password)]);
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

            Assert.Contains("Signed in as", await client.GetStringAsync(""));
            //#if (sample)
            var saved = await Forms.PostAsync(client, "new", [new("Form.Junk", "served junk"), new("Form.Things", "served things"), new("Form.SomeNum", "7")]);
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

            var list = await client.GetStringAsync("");
            Assert.Contains("served junk", list);
            Assert.Contains("served things", list);
            //#endif
        }
        finally
        {
            await server.StopAsync();
        }
        Assert.Equal(0, server.Process.ExitCode);

        // The server's log never carries the database password or the user's.
        var log = await server.Logs;
        Assert.Contains("Now listening on", log);
        var databasePassword = new Uri(Database.Url).UserInfo.Split(':') is [_, var secret] ? Uri.UnescapeDataString(secret) : null;
        if (databasePassword is not null) Assert.DoesNotContain(databasePassword, log);
        Assert.DoesNotContain(Password, log);
    }

    [Fact]
    public async Task The_healthcheck_says_alive_while_the_site_serves_and_not_once_it_stopped()
    {
        await MigratedAsync();
        await using var server = await ServedSite.StartAsync(Stuff);
        var port = new Uri(server.Address).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // A generous timeout: beside other tests on idle cores (the template's run) a just-started
        // site can take longer than the default five seconds to answer.
        var alive = await Stuff.RunAsync("healthcheck", "--port", port, "--timeout", "60");
        AssertSucceeded(alive);
        Assert.Contains($"http://127.0.0.1:{port}/healthz: 200", alive.Output);
        // The check asks under the base path it is given: the wrong one is a failed check.
        Assert.Equal(1, (await Stuff.With("STUFF_BASE_PATH", "/elsewhere").RunAsync("healthcheck", "--port", port)).ExitCode);
        var bad = await Stuff.RunAsync("healthcheck", "--port", "0");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--port must be between 1 and 65535", bad.Error);

        await server.StopAsync();
        var gone = await Stuff.RunAsync("healthcheck", "--port", port, "--timeout", "2");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("no answer", gone.Output);
    }

    [Fact]
    public async Task The_site_starts_and_says_what_is_wrong_when_its_database_is_not_there()
    {
        // Nothing listens on port 9 of loopback (discard), and no SQLite file is where this one points.
        var missing = Provider == DatabaseProvider.Postgres
            ? "postgres://stuff:not-the-password@127.0.0.1:9/stuff"
            : "sqlite://" + Path.Combine(DataDirectory, "not-here", "stuff.db");
        await using var server = await ServedSite.StartAsync(Stuff.With("DATABASE_URL", missing));

        using var client = new HttpClient { BaseAddress = new Uri(server.Address + "/") };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);
        var ready = await client.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var database = System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("failing", database.GetProperty("status").GetString());
        Assert.StartsWith("cannot connect to the database", database.GetProperty("detail").GetString());
        await server.StopAsync();
        Assert.Equal(0, server.Process.ExitCode);
        // The database warm-up's failure is no error of its own: the readiness check says it.
        var log = await server.Logs;
        Assert.DoesNotContain("   at ", log);
        Assert.DoesNotContain("warm-up", log);
    }
}

public sealed class ServeCommandOnSqliteTests() : ServeCommandTests(DatabaseProvider.Sqlite);

public sealed class ServeCommandOnPostgresTests() : ServeCommandTests(DatabaseProvider.Postgres)
{
    [Fact]
    public async Task The_site_connects_to_its_database_before_the_first_request()
    {
        await MigratedAsync();
        await using var server = await ServedSite.StartAsync(Stuff);

        // Nothing has asked the site anything yet, and it holds a connection to its database.
        const string others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Convert.ToInt64(await Database.ScalarAsync(others), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The served site opened no connection to its database before a request.");
            await Task.Delay(100);
        }

        using var client = new HttpClient { BaseAddress = new Uri(server.Address + "/") };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("")).StatusCode);
        await server.StopAsync();
        Assert.Equal(0, server.Process.ExitCode);
    }
}
