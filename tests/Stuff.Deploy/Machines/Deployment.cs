using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Stuff.Server;

namespace Stuff.Deploy.Machines;

/// <summary>One line of `stuff doctor --json`.</summary>
public sealed record Diagnosis(string Id, string Verdict, string Summary, string? Cause, string? Fix, IReadOnlyList<string> Details)
{
    public override string ToString() => $"{Verdict} {Id}: {Summary}\n  cause: {Cause}\n  fix: {Fix}";
}

/// <summary>The site `stuff setup` installed on a machine, as its operator reaches it: the installed executable, its releases, its units, its doctor.</summary>
public sealed class Deployment(ServerMachine machine)
{
    public const string Installed = "/opt/stuff/bin/stuff";

    /// <summary>The release store in the machine, read from the host (its links are relative).</summary>
    public ReleaseStore Releases { get; } = new(machine.At("/opt/stuff"));

    public int LivePort => Releases.LivePort ?? throw new InvalidOperationException($"no release is live on {machine.Name}");

    public static string Unit(int port) => $"stuff@{port}";

    /// <summary>`stuff setup --domain localhost --tls self-signed` with the installed executable (or another) and more options.</summary>
    public Task<CliResult> SetupAsync(string executable = Installed, params string[] more) =>
        machine.RunAsync([executable, "setup", "--domain", SetUpServer.Domain, "--tls", "self-signed", .. more]);

    /// <summary>Setup again, which must succeed: it repairs what a test broke.</summary>
    public async Task SetupAgainAsync(params string[] more)
    {
        var setup = await SetupAsync(Installed, more);
        Assert.True(setup.ExitCode == 0, setup.ToString());
    }

    public async Task<(int Exit, Dictionary<string, Diagnosis> Findings)> DoctorAsync()
    {
        var result = await machine.RunAsync(Installed, "doctor", "--json");
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var findings = json.RootElement.GetProperty("checks").EnumerateArray().Select(c => new Diagnosis(
            c.GetProperty("id").GetString()!,
            c.GetProperty("verdict").GetString()!,
            c.GetProperty("summary").GetString()!,
            c.TryGetProperty("cause", out var cause) ? cause.GetString() : null,
            c.TryGetProperty("fix", out var fix) ? fix.GetString() : null,
            [.. c.GetProperty("details").EnumerateArray().Select(d => d.GetString()!)]));
        return (result.ExitCode, findings.ToDictionary(f => f.Id));
    }

    /// <summary>The doctor says all is well, within a short while (an app restarting, Apache reloading).</summary>
    public async Task AllOkAsync(string when)
    {
        var (exit, findings) = await DoctorAsync();
        for (var i = 0; i < 20 && exit != 0; i++)
        {
            await Task.Delay(1000);
            (exit, findings) = await DoctorAsync();
        }
        Assert.True(exit == 0, $"not all ok {when}:\n{string.Join("\n", findings.Values.Where(f => f.Verdict == "failed"))}");
    }

    /// <summary>
    /// Runs a line of the doctor's fix in the machine as a person would paste it into a root shell.
    /// A minimal server has no sudo; as root it would only run the command (as another user with -u).
    /// </summary>
    public Task<string> RunFixAsync(string line)
    {
        const string sudo = "sudo() { if [ \"$1\" = -u ]; then local u=\"$2\"; shift 2; runuser -u \"$u\" -- env \"$@\"; else \"$@\"; fi; }";
        return machine.ShAsync($"{sudo}\n{line}");
    }

    /// <summary>A copy of the published release in the machine whose static files differ, so setup sees a new release; its executable.</summary>
    public async Task<string> CopyOfReleaseAsync(string label)
    {
        var copy = $"/root/release-{label}-{Guid.NewGuid():N}";
        await machine.MustAsync("cp", "-a", ServerMachine.Release, copy);
        await File.AppendAllTextAsync(machine.At($"{copy}/wwwroot/static/css/site.css"), $"\n/* {label} release {Guid.NewGuid():N} */\n/* newer release */\n");
        return $"{copy}/stuff";
    }

    /// <summary>Runs an action while people keep asking for the list page through Apache: the load runs before it and goes on after it.</summary>
    public async Task<(T Result, Served Served)> UnderLoadAsync<T>(Func<Task<T>> action)
    {
        var load = Served.Start(machine, SetUpServer.Site);
        await load.MoreRequestsAsync(40);
        var result = await action();
        await load.MoreRequestsAsync(40);
        await load.StopAsync();
        return (result, load);
    }
}

/// <summary>Clients requesting a page of a machine's site without pause, each on its own connection, as a load balancer's users would.</summary>
public sealed class Served
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private Task[] _workers = [];
    private int _requests;

    public static Served Start(ServerMachine machine, string url, int clients = 8)
    {
        var served = new Served();
        served._workers = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(() => served.RunAsync(machine, url)))];
        return served;
    }

    private async Task RunAsync(ServerMachine machine, string url)
    {
        using var client = machine.Client();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync(url, _stop.Token);
                await response.Content.ReadAsByteArrayAsync(_stop.Token);
                Interlocked.Increment(ref _requests);
                if (response.StatusCode != HttpStatusCode.OK) _failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {(int)response.StatusCode}");
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

    /// <summary>At most this share of the requests failed (0: none at all).</summary>
    public void AssertFailureRateBelow(double rate) =>
        Assert.True(_failures.Count <= _requests * rate, $"{_failures.Count} of {_requests} requests failed:\n{string.Join("\n", _failures.Take(20))}");
}
