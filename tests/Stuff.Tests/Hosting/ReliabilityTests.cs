using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Stuff.Configuration;
using Stuff.Tests.Cli;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

/// <summary>
/// `stuff serve` on a real Kestrel and PostgreSQL on a bad day: stopped with SIGTERM under load,
/// killed outright, and its database server crashing while people create, edit and delete.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Load)]
public sealed class ReliabilityTests() : CliTests(DatabaseProvider.Postgres)
{
    private const string Password = "a reliable passphrase";

    private async Task PreparedAsync()
    {
        await MigratedAsync();
        AssertSucceeded(await Stuff.With("STUFF_SUPERUSER_PASSWORD", Password).RunAsync("createsuperuser", "--username", "admin", "--no-input"));
    }

    private static HttpClient Client(string address) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(address + "/"),
            Timeout = TimeSpan.FromSeconds(30),
        };

    [Fact]
    public async Task Sigterm_under_load_lets_every_request_in_flight_finish()
    {
        await PreparedAsync();
        await using var server = await ServedSite.StartAsync(Stuff);
        using (var admin = Client(server.Address))
        {
            await Forms.AssertRedirectAsync(await Forms.PostAsync(admin, "account/login", [new("Form.Username", "admin"), new("Form.Password", Password)]));
            for (var i = 0; i < 100; i++)
                await Forms.AssertRedirectAsync(await Forms.PostAsync(admin, "new", [new("Form.Junk", $"row {i}"), new("Form.Things", "t"), new("Form.SomeNum", "1")]));
        }

        var answered = 0;
        var failed = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            using var client = Client(server.Address);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync("");
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK && body.Contains("row 99", StringComparison.Ordinal)) Interlocked.Increment(ref answered);
                    else failed.Enqueue($"{(int)response.StatusCode}");
                }
                catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                {
                    // Asked after the server stopped listening: never in flight.
                    return;
                }
                catch (HttpRequestException e)
                {
                    failed.Enqueue(e.Message + " " + e.InnerException?.Message);
                }
            }
        })).ToList();
        // The load runs: this many answers before the signal, or the test fails here.
        await Eventually.HoldsAsync(() => Volatile.Read(ref answered) >= 200, TimeSpan.FromSeconds(60), "200 requests answered before the signal");

        server.Signal("TERM");
        await server.WaitForExitAsync();
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.True(failed.IsEmpty, $"{failed.Count} requests failed around SIGTERM:\n{string.Join("\n", failed.Take(10))}");
        Assert.Equal(0, server.Process.ExitCode);
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_a_killed_app_and_a_crashed_database_and_no_stale_edit_wins()
    {
        // A server of its own, durable as in production, to crash without harming the other tests.
        await using var postgres = await PostgresServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, DataDirectory, postgres.AdminConnectionString);
        var stuff = Stuff.With("DATABASE_URL", database.Url);
        AssertSucceeded(await stuff.RunAsync("migrate"));
        AssertSucceeded(await stuff.With("STUFF_SUPERUSER_PASSWORD", Password).RunAsync("createsuperuser", "--username", "admin", "--no-input"));
        var port = PostgresServer.FreePort();
        var urls = $"http://127.0.0.1:{port}";
        var server = await ServedSite.StartAsync(stuff, urls);
        var address = server.Address;

        var ledger = new Ledger();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(() => WorkAsync(w, address, database, ledger, stop.Token))).ToList();
        try
        {
            // Each step waits until the workers show it: writes acknowledged, or requests failing
            // while the app or the database is down; a step they never show fails the test here.
            var within = TimeSpan.FromSeconds(60);
            await ledger.MoreCreatedAsync(10, within, "creates before the kill");
            // The app dies without a chance to finish anything, and comes back.
            server.Process.Kill(entireProcessTree: true);
            await server.DisposeAsync();
            await ledger.MoreFailedAsync(6, within, "requests refused while the app is down");
            server = await ServedSite.StartAsync(stuff, urls);
            await ledger.MoreCreatedAsync(10, within, "creates after the app came back");
            // The database crashes in the middle of the writes, and comes back through crash recovery.
            await postgres.CrashAsync();
            await ledger.MoreFailedAsync(6, within, "requests failed while the database is down");
            await postgres.StartAgainAsync();
            await ledger.MoreCreatedAsync(20, within, "creates after the database came back");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            await server.DisposeAsync();
        }

        Assert.True(ledger.StaleRefused > 0, "no stale edit was tried");
        var problems = new List<string>();
        foreach (var junk in ledger.Created.Keys)
        {
            var rows = (long)(await database.ScalarAsync($"SELECT count(*) FROM stuff WHERE junk = '{junk}'"))!;
            var deleted = ledger.Deleted.ContainsKey(junk);
            if (deleted && rows != 0) problems.Add($"{junk}: deleted with a success, but still there");
            if (!deleted && !ledger.DeleteTried.ContainsKey(junk) && rows != 1) problems.Add($"{junk}: created with a success, but {rows} row(s)");
            if (rows == 1 && ledger.Edited.TryGetValue(junk, out var edited))
            {
                var things = (string)(await database.ScalarAsync($"SELECT things FROM stuff WHERE junk = '{junk}'"))!;
                // The last acknowledged edit, or one tried after it whose answer was lost; never an older value.
                var allowed = ledger.EditTried.GetValueOrDefault(junk)?.SkipWhile(v => v != edited).ToList() ?? [edited];
                if (!allowed.Contains(things)) problems.Add($"{junk}: last acknowledged edit was '{edited}', the row says '{things}'");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>One person working without pause: create, edit (sometimes from a stale form), delete.</summary>
    private static async Task WorkAsync(int worker, string address, TestDatabase database, Ledger ledger, CancellationToken stop)
    {
        using var client = Client(address);
        var mine = new List<string>();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            try
            {
                if (n % 10 == 0 || !await SignedInAsync(client))
                    await Forms.PostAsync(client, "account/login", [new("Form.Username", "admin"), new("Form.Password", Password)]);
                var junk = $"w{worker}-{n}";
                var created = await Forms.PostAsync(client, "new", [new("Form.Junk", junk), new("Form.Things", "new"), new("Form.SomeNum", "1")]);
                if (Succeeded(created))
                {
                    ledger.Created[junk] = true;
                    mine.Add(junk);
                }
                else ledger.Fail();
                if (mine.Count == 0) continue;

                var target = mine[n % mine.Count];
                var id = await IdAsync(database, target);
                if (id is null) continue;
                var form = await (await client.GetAsync($"edit/{id}")).Content.ReadAsStringAsync();
                if (!form.Contains("name=\"Version\"", StringComparison.Ordinal)) { ledger.Fail(); continue; }
                var things = $"edit {worker}-{n}";
                ledger.TryEdit(target, things);
                var edit = await client.PostAsync($"edit/{id}", new FormUrlEncodedContent(
                [
                    new("__RequestVerificationToken", Forms.Token(form)), new("Version", Forms.Field(form, "Version")),
                    new("Form.Junk", target), new("Form.Things", things), new("Form.SomeNum", "2"),
                ]));
                if (Succeeded(edit))
                {
                    ledger.Edited[target] = things;
                    // The same form again: its version is old now, so it must not win.
                    var stale = await client.PostAsync($"edit/{id}", new FormUrlEncodedContent(
                    [
                        new("__RequestVerificationToken", Forms.Token(form)), new("Version", Forms.Field(form, "Version")),
                        new("Form.Junk", target), new("Form.Things", "stale " + things), new("Form.SomeNum", "3"),
                    ]));
                    if (Succeeded(stale)) ledger.Edited[target] = "a stale edit was accepted";
                    else if (stale.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ledger.StaleRefused);
                }
                else ledger.Fail();

                if (n % 4 == 3)
                {
                    var doomed = mine[0];
                    var doomedId = await IdAsync(database, doomed);
                    if (doomedId is null) continue;
                    var confirm = await (await client.GetAsync($"delete/{doomedId}")).Content.ReadAsStringAsync();
                    if (!confirm.Contains("name=\"Version\"", StringComparison.Ordinal)) { ledger.Fail(); continue; }
                    ledger.DeleteTried[doomed] = true;
                    var delete = await client.PostAsync($"delete/{doomedId}", new FormUrlEncodedContent(
                        [new("__RequestVerificationToken", Forms.Token(confirm)), new("Version", Forms.Field(confirm, "Version"))]));
                    if (Succeeded(delete))
                    {
                        ledger.Deleted[doomed] = true;
                        mine.Remove(doomed);
                    }
                    else ledger.Fail();
                }
            }
            // A page that is not the expected form (a 503 during the outage, a login page) is a failed
            // request too; so is the bookkeeping's own query while the database is down.
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or InvalidOperationException
                or Xunit.Sdk.XunitException or Npgsql.NpgsqlException)
            {
                ledger.Fail();
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }

    private static bool Succeeded(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.ToString() == "/";

    private static async Task<bool> SignedInAsync(HttpClient client) =>
        (await client.GetStringAsync("")).Contains("Signed in as", StringComparison.Ordinal);

    /// <summary>The id of one of this worker's rows, read straight from the database (bookkeeping, past the app).</summary>
    private static async Task<string?> IdAsync(TestDatabase database, string junk) =>
        (await database.ScalarAsync($"SELECT id FROM stuff WHERE junk = '{junk}'"))?.ToString();

    /// <summary>What the workers were told succeeded, and what they tried without being told.</summary>
    private sealed class Ledger
    {
        public ConcurrentDictionary<string, bool> Created { get; } = new();
        public ConcurrentDictionary<string, string> Edited { get; } = new();
        public ConcurrentDictionary<string, List<string>> EditTried { get; } = new();
        public ConcurrentDictionary<string, bool> Deleted { get; } = new();
        public ConcurrentDictionary<string, bool> DeleteTried { get; } = new();
        public int StaleRefused;
        private int _failures;

        public int Failures => _failures;

        public void Fail() => Interlocked.Increment(ref _failures);

        public Task MoreCreatedAsync(int more, TimeSpan within, string what)
        {
            var target = Created.Count + more;
            return Eventually.HoldsAsync(() => Created.Count >= target, within, $"{more} more {what}");
        }

        public Task MoreFailedAsync(int more, TimeSpan within, string what)
        {
            var target = Failures + more;
            return Eventually.HoldsAsync(() => Failures >= target, within, $"{more} {what}");
        }

        public void TryEdit(string junk, string things) => EditTried.GetOrAdd(junk, _ => []).Add(things);
    }
}
