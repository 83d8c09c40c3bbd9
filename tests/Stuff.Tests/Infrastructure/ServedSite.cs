using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Stuff.Tests.Infrastructure;

/// <summary>`stuff serve` running for real on Kestrel in its own process, its log collected.</summary>
public sealed partial class ServedSite : IAsyncDisposable
{
    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    private ServedSite(Process process, string address, Task<string> logs)
    {
        Process = process;
        Address = address;
        Logs = logs;
    }

    public Process Process { get; }

    /// <summary>http://127.0.0.1:PORT</summary>
    public string Address { get; }

    /// <summary>Everything the server printed, once it has ended.</summary>
    public Task<string> Logs { get; }

    public static async Task<ServedSite> StartAsync(StuffCli stuff, string urls = "http://127.0.0.1:0")
    {
        var server = stuff.Start("serve", "--urls", urls);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new System.Text.StringBuilder();
        while (await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            seen.AppendLine(line);
            var match = Listening().Match(line);
            if (!match.Success) continue;
            // Keep draining the output so the server never blocks on a full pipe.
            var output = server.StandardOutput.ReadToEndAsync();
            var error = server.StandardError.ReadToEndAsync();
            return new ServedSite(server, match.Groups[1].Value, Task.WhenAll(output, error).ContinueWith(t => seen + string.Concat(t.Result), TaskScheduler.Default));
        }
        throw new InvalidOperationException("stuff serve ended before listening: " + await server.StandardError.ReadToEndAsync());
    }

    /// <summary>SIGTERM, the way systemd stops it, then waits for it to end.</summary>
    public async Task StopAsync()
    {
        if (Process.HasExited) return;
        Signal("TERM");
        await WaitForExitAsync();
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        try
        {
            await Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Process.Kill(entireProcessTree: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
        Process.Dispose();
    }
}
