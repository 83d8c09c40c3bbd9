using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Stuff.Configuration;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Cli;

/// <summary>
/// The README's promise, end to end on a real Kestrel: migrate, create a superuser from a
/// script, log in with the antiforgery token, create a row and see it in the list.
/// </summary>
public abstract partial class ServeCommandTests(DatabaseProvider provider) : CliTests(provider)
{
    private const string Password = "a very fine passphrase";

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    [Fact]
    public async Task A_scripted_superuser_logs_in_and_creates_stuff_that_shows_on_the_list()
    {
        await MigratedAsync();
        var create = await Stuff.With("STUFF_SUPERUSER_PASSWORD", "the first passphrase").RunAsync("createsuperuser", "--username", "admin", "--email", "admin@example.org", "--no-input");
        AssertSucceeded(create);
        AssertSucceeded(await Stuff.RunWithInputAsync($"{Password}\n{Password}\n", "changepassword", "admin"));

        using var server = Stuff.Start("serve", "--urls", "http://127.0.0.1:0");
        Task<string>? logs = null;
        try
        {
            (var address, logs) = await WaitForAddressAsync(server);
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
            {
                BaseAddress = new Uri(address + "/"),
            };

            var login = await Forms.PostAsync(client, "account/login", [new("Form.Username", "admin"), new("Form.Password", Password)]);
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

            var saved = await Forms.PostAsync(client, "new", [new("Form.Junk", "served junk"), new("Form.Things", "served things"), new("Form.SomeNum", "7")]);
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

            var list = await client.GetStringAsync("");
            Assert.Contains("served junk", list);
            Assert.Contains("served things", list);
        }
        finally
        {
            await StopAsync(server);
        }
        Assert.Equal(0, server.ExitCode);

        // The server's log never carries the database password or the user's.
        var log = await logs!;
        Assert.Contains("Now listening on", log);
        var databasePassword = new Uri(Database.Url).UserInfo.Split(':') is [_, var secret] ? Uri.UnescapeDataString(secret) : null;
        if (databasePassword is not null) Assert.DoesNotContain(databasePassword, log);
        Assert.DoesNotContain(Password, log);
    }

    /// <summary>Reads the log until Kestrel says where it listens; the rest of the log is collected in the background.</summary>
    private static async Task<(string Address, Task<string> Logs)> WaitForAddressAsync(Process server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new System.Text.StringBuilder();
        while (await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            seen.AppendLine(line);
            var match = Listening().Match(line);
            if (match.Success)
            {
                // Keep draining the output so the server never blocks on a full pipe.
                var output = server.StandardOutput.ReadToEndAsync();
                var error = server.StandardError.ReadToEndAsync();
                return (match.Groups[1].Value, Task.WhenAll(output, error).ContinueWith(t => seen + string.Concat(t.Result)));
            }
        }
        throw new InvalidOperationException("stuff serve ended before listening: " + await server.StandardError.ReadToEndAsync());
    }

    /// <summary>Stops the server the way systemd does, with SIGTERM, and waits for a clean exit.</summary>
    private static async Task StopAsync(Process server)
    {
        if (server.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString()])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await server.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            server.Kill(entireProcessTree: true);
            throw;
        }
    }
}

public sealed class ServeCommandOnSqliteTests() : ServeCommandTests(DatabaseProvider.Sqlite);

public sealed class ServeCommandOnPostgresTests() : ServeCommandTests(DatabaseProvider.Postgres);
