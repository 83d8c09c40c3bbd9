using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Stuff.Configuration;
using Stuff.Tests.Infrastructure;

namespace Stuff.Browser.Infrastructure;

/// <summary>
/// The real site as it runs on a server: the built `stuff` executable migrates a fresh
/// PostgreSQL database and serves it on Kestrel on a loopback port, in Production. One site and
/// one Chromium for the whole project; each test opens its own browser contexts.
/// </summary>
public sealed partial class BrowserSite : IAsyncLifetime
{
    public const string AdminName = "admin";
    public const string AdminPassword = "the admin's browser passphrase";
    public const string UserName = "alice";
    public const string UserPassword = "alice's browser passphrase";

    public const string ChromiumPath = PageChecks.ChromiumPath;

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("stuff-browser-").FullName;
    private readonly StringBuilder _log = new();
    private TestDatabase? _database;
    private Process? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string BaseUrl { get; private set; } = "";

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The site is not started.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    /// <summary>What the server logged so far, for failure messages.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: install it with `apt-get install chromium` (./test.sh does, as root).");

        _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, _dataDirectory);
        var stuff = new StuffCli(_dataDirectory, _database.Url);
        await RunAsync(stuff, "migrate");
        await RunAsync(stuff.With("STUFF_SUPERUSER_PASSWORD", AdminPassword), "createsuperuser", "--username", AdminName, "--email", "admin@example.org", "--no-input");
        await RunAsync(stuff.With("STUFF_USER_PASSWORD", UserPassword), "createuser", "--username", UserName, "--email", "alice@example.org", "--no-input");

        _server = stuff.Start("serve", "--urls", "http://127.0.0.1:0");
        BaseUrl = await WaitForAddressAsync(_server);

        _playwright = await Playwright.CreateAsync();
        // Two shared cores and a database under test: a page may take longer than Playwright's 5 s default.
        Assertions.SetDefaultExpectTimeout(15_000);
        _browser = await PageChecks.LaunchAsync(_playwright);
    }

    private static async Task RunAsync(StuffCli stuff, params string[] args)
    {
        var result = await stuff.RunAsync(args);
        if (result.ExitCode != 0) throw new InvalidOperationException($"stuff {string.Join(' ', args)} failed: {result}");
    }

    /// <summary>Reads the log until Kestrel says where it listens, then keeps draining it so the server never blocks.</summary>
    private async Task<string> WaitForAddressAsync(Process server)
    {
        _ = Task.Run(async () =>
        {
            while (await server.StandardError.ReadLineAsync() is { } line)
                lock (_log) _log.AppendLine(line);
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            lock (_log) _log.AppendLine(line);
            var match = Listening().Match(line);
            if (!match.Success) continue;
            _ = Task.Run(async () =>
            {
                while (await server.StandardOutput.ReadLineAsync() is { } more)
                    lock (_log) _log.AppendLine(more);
            });
            return match.Groups[1].Value;
        }
        throw new InvalidOperationException("stuff serve ended before listening:\n" + Log);
    }

    /// <summary>The cookies of a user who logged in through the form once, by user name, for tests not about logging in.</summary>
    public Dictionary<string, string> Sessions { get; } = [];

    /// <summary>A fresh browser context (its own cookies, or those of <paramref name="storageState"/>), desktop-sized.</summary>
    public async Task<IPage> NewPageAsync(bool javaScript = true, string? storageState = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            StorageState = storageState,
            ViewportSize = Viewports.Desktop,
            JavaScriptEnabled = javaScript,
            Locale = "en-GB",
        });
        var page = await context.NewPageAsync();
        Watch(page);
        return page;
    }

    /// <summary>Fails the test on anything the Content-Security-Policy blocked (see <see cref="PageChecks.Watch"/>).</summary>
    public static void Watch(IPage page) => PageChecks.Watch(page);

#if nosample
    /// <summary>Empties the history, so each test starts from the same state; users stay.</summary>
    public Task ResetAsync() => Database.ScalarAsync("DELETE FROM admin_log;");

    /// <summary>The start page's heading, and the link back to it from the status pages.</summary>
    public const string HomeHeading = "Stuff";
    public const string BackHome = "Back to the start page";
#else
    /// <summary>Empties the stuff and its history, so each test starts from an empty list; users stay.</summary>
    public Task ResetAsync() => Database.ScalarAsync("DELETE FROM admin_log; DELETE FROM stuff;");

    /// <summary>The start page's heading (the list), and the link back to it from the status pages.</summary>
    public const string HomeHeading = "All stuff";
    public const string BackHome = "Back to all stuff";

    /// <summary>Adds <paramref name="count"/> rows straight in the database, numbered from 1, for pagination.</summary>
    public Task AddStuffAsync(int count, string prefix = "Row") => Database.ScalarAsync(
        $"INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version) " +
        $"SELECT '{prefix} ' || lpad(n::text, 3, '0'), 'things of ' || n, n, now(), now(), 1 FROM generate_series(1, {count}) AS n");
#endif

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_server is { HasExited: false })
        {
            using (var kill = Process.Start("kill", ["-TERM", _server.Id.ToString()])) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _server.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _server.Kill(entireProcessTree: true);
            }
        }
        _server?.Dispose();
        if (_database is not null) await _database.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserSite>
{
    public const string Name = "browser against a real Kestrel";
}
