using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Stuff.Server;
using Stuff.Setup;
using static Stuff.Tests.Deploy.Machine;

namespace Stuff.Tests.Deploy;

/// <summary>
/// New releases, a broken one and rollbacks on the deployed site, each under continuous load
/// through Apache over HTTPS: not one request may fail while the release changes.
/// </summary>
[Collection(DeployCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class ReleaseDeployTests(DeployedSite site) : IClassFixture<DeployedSite>
{
    private const string Stuff = DeployedSite.Installed;
    private static readonly string Published = Environment.GetEnvironmentVariable("STUFF_TEST_RELEASE") ?? "";

    [DeployFact]
    public async Task An_upgrade_under_load_fails_no_request_and_a_release_that_never_gets_ready_leaves_the_live_one_serving()
    {
        _ = site;
        var before = Machine.Releases.LiveRelease;
        var newer = CopyOfRelease("newer");
        try
        {
            var (upgrade, served) = await UnderLoadAsync(() => RunAsync(Path.Combine(newer, "stuff"), "setup", "--domain", "localhost", "--tls", "self-signed"));

            Assert.True(upgrade.ExitCode == 0, upgrade.ToString());
            Assert.Contains("App service ... changed", upgrade.Output);
            Assert.Contains("Previous release stopped ... changed", upgrade.Output);
            served.AssertNoFailures();
            Assert.NotEqual(before, Machine.Releases.LiveRelease);
            Assert.Equal(before, Machine.Releases.ReleaseIn(Machine.Releases.IdlePort));
            Assert.False(File.Exists($"/run/stuff/stuff-{Machine.Releases.IdlePort}.pid"), "the old release still runs");
            Assert.EndsWith("/* newer release */\n", await File.ReadAllTextAsync(Path.Combine(Machine.Releases.LiveRelease!, "bin", "wwwroot", "static", "css", "site.css")));
        }
        finally
        {
            Directory.Delete(newer, recursive: true);
        }

        // Settings that make it listen where it may not: it never answers /readyz.
        var live = Machine.Releases.LiveRelease;
        var broken = CopyOfRelease("broken");
        try
        {
            var settings = Path.Combine(broken, "appsettings.json");
            var json = JsonNode.Parse(await File.ReadAllTextAsync(settings))!;
            json["Kestrel"] = JsonNode.Parse("""{"Endpoints":{"Http":{"Url":"http://127.0.0.1:1"}}}""");
            await File.WriteAllTextAsync(settings, json.ToJsonString());

            var (failed, served) = await UnderLoadAsync(() => RunAsync(Path.Combine(broken, "stuff"), "setup", "--domain", "localhost", "--tls", "self-signed", "--ready-timeout", "10"));

            Assert.Equal(1, failed.ExitCode);
            Assert.Contains("did not become ready", failed.Error);
            Assert.Contains("within 10 s", failed.Error);
            Assert.Contains($"the live release {ReleaseStore.NameOf(live)} keeps serving", failed.Error);
            Assert.Contains("Permission denied", failed.Error);
            served.AssertNoFailures();
            Assert.Equal(live, Machine.Releases.LiveRelease);
            Assert.False(File.Exists($"/run/stuff/stuff-{Machine.Releases.IdlePort}.pid"), "the broken release was left running");
            await AssertDoctorOkAsync();
        }
        finally
        {
            Directory.Delete(broken, recursive: true);
        }
    }

    [DeployFact]
    public async Task Rollback_switches_back_under_load_and_refuses_what_it_cannot_undo_until_told_to_restore()
    {
        _ = site;
        // Two new releases, one after the other: the rollback goes from the second to the first.
        var first = CopyOfRelease("before-rollback");
        var newer = CopyOfRelease("rollback");
        try
        {
            var install = await RunAsync(Path.Combine(first, "stuff"), "setup", "--domain", "localhost", "--tls", "self-signed");
            Assert.True(install.ExitCode == 0, install.ToString());
            var older = Machine.Releases.LiveRelease;
            var upgrade = await RunAsync(Path.Combine(newer, "stuff"), "setup", "--domain", "localhost", "--tls", "self-signed");
            Assert.True(upgrade.ExitCode == 0, upgrade.ToString());
            var upgraded = Machine.Releases.LiveRelease;

            var (rollback, served) = await UnderLoadAsync(() => RunAsync(Stuff, "rollback"));

            Assert.True(rollback.ExitCode == 0, rollback.ToString());
            Assert.Contains($"Rolling back from {ReleaseStore.NameOf(upgraded)} to {ReleaseStore.NameOf(older)}", rollback.Output);
            served.AssertNoFailures();
            Assert.Equal(older, Machine.Releases.LiveRelease);
            await AssertDoctorOkAsync();

            // Forward again (setup finds the release installed), then the newer release's data
            // carries a migration the older one does not know and nobody can revert.
            var again = await RunAsync(Path.Combine(newer, "stuff"), "setup", "--domain", "localhost", "--tls", "self-signed");
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Equal(upgraded, Machine.Releases.LiveRelease);
            Assert.Contains("Install the release ... ok", again.Output);
            await SqlAsync("INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('29990101000000_FromTheFuture', '10.0.0')");
            //#if (sample)
            await SqlAsync("INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version) VALUES ('written after the upgrade', 't', 1, now(), now(), 1)");
            //#endif

            var refused = await RunAsync(Stuff, "rollback");

            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("29990101000000_FromTheFuture is applied but this release does not know it", refused.Error);
            Assert.Contains($"Nothing was changed; {ReleaseStore.NameOf(upgraded)} keeps serving", refused.Error);
            //#if (sample)
            Assert.Contains("1 stuff row(s) added or changed", refused.Error);
            //#endif
            Assert.Contains("recorded change(s) in the history", refused.Error);
            Assert.Equal(upgraded, Machine.Releases.LiveRelease);
            var offered = System.Text.RegularExpressions.Regex.Match(refused.Error, @"rollback --restore-backup (\S+\.pgdump)");
            Assert.True(offered.Success, refused.ToString());

            var restored = await RunAsync(Stuff, "rollback", "--restore-backup", offered.Groups[1].Value);

            Assert.True(restored.ExitCode == 0, restored.ToString());
            Assert.Equal(older, Machine.Releases.LiveRelease);
            Assert.DoesNotContain("FromTheFuture", (await RunAsync("runuser", "-u", "postgres", "--", "psql", "-XtA", "-d", "stuff", "-c", "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"")).Output);
            using var client = ThroughApache();
            Assert.DoesNotContain("written after the upgrade", await client.GetStringAsync("https://localhost/stuff/"));
            await AssertDoctorOkAsync();
        }
        finally
        {
            Directory.Delete(first, recursive: true);
            Directory.Delete(newer, recursive: true);
        }
    }

    /// <summary>A copy of the published release whose static files differ, so setup sees a new release.</summary>
    private static string CopyOfRelease(string label)
    {
        var copy = Directory.CreateTempSubdirectory($"stuff-release-{label}-").FullName;
        foreach (var file in Directory.EnumerateFiles(Published, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Published, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.SetUnixFileMode(Path.Combine(copy, "stuff"), (UnixFileMode)0b111_101_101);
        File.AppendAllText(Path.Combine(copy, "wwwroot", "static", "css", "site.css"), $"\n/* {label} release {Guid.NewGuid():N} */\n/* newer release */\n");
        return copy;
    }

    public static async Task<(T Result, Served Served)> UnderLoadAsync<T>(Func<Task<T>> action)
    {
        // The load is running before the action and goes on after it, for some requests each time.
        var load = Served.Start("https://localhost/stuff/");
        await load.MoreRequestsAsync(40);
        var result = await action();
        await load.MoreRequestsAsync(40);
        await load.StopAsync();
        return (result, load);
    }

    private static Task SqlAsync(string sql) => ShAsync($"runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d stuff -c '{sql.Replace("'", "'\\''")}'");

    private static async Task AssertDoctorOkAsync()
    {
        var doctor = await RunAsync(Stuff, "doctor");
        Assert.True(doctor.ExitCode == 0, doctor.ToString());
    }

    /// <summary>Clients requesting the list page without pause, each on its own connection, as a load balancer's users would.</summary>
    public sealed class Served
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<string> _failures = new();
        private Task[] _workers = [];
        private int _requests;

        public static Served Start(string url, int clients = 8)
        {
            var served = new Served();
            served._workers = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(() => served.RunAsync(url)))];
            return served;
        }

        private async Task RunAsync(string url)
        {
            using var client = ThroughApache();
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(url, _stop.Token);
                    await response.Content.ReadAsByteArrayAsync(_stop.Token);
                    Interlocked.Increment(ref _requests);
                    if (!response.IsSuccessStatusCode) _failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {(int)response.StatusCode}");
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    Interlocked.Increment(ref _requests);
                    _failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {e.GetType().Name}: {e.Message}");
                }
            }
        }

        public Task MoreRequestsAsync(int more)
        {
            var target = Volatile.Read(ref _requests) + more;
            return Eventually.HoldsAsync(() => Volatile.Read(ref _requests) >= target, TimeSpan.FromSeconds(60), $"{more} more requests through Apache");
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers);
        }

        public void AssertNoFailures() => AssertFailureRateBelow(0);

        /// <summary>At most this share of the requests failed (0: none at all); UnderLoadAsync has seen the load run.</summary>
        public void AssertFailureRateBelow(double rate)
        {
            Assert.True(_failures.Count <= _requests * rate, $"{_failures.Count} of {_requests} requests failed:\n{string.Join("\n", _failures.Take(20))}");
        }
    }
}
