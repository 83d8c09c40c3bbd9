using System.Net;
using System.Net.Sockets;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Deploy;

/// <summary>Commands and requests on this machine, for the tests that deploy to it.</summary>
public static class Machine
{
    /// <summary>The releases `stuff setup` installed here.</summary>
    public static Stuff.Server.ReleaseStore Releases { get; } = new("/opt/stuff");

    /// <summary>The port of the live release (its slot).</summary>
    public static int LivePort => Releases.LivePort ?? throw new InvalidOperationException("no release is live on this machine");

    public static string LivePidFile => $"/run/stuff/stuff-{LivePort}.pid";

    public static string LiveLogFile => $"/var/log/stuff/stuff-{LivePort}.log";

    /// <summary>Stops every supervisor that setup started here (all slots, and the layout before releases).</summary>
    public static async Task StopAllSupervisorsAsync()
    {
        if (!Directory.Exists("/run/stuff")) return;
        foreach (var pidFile in Directory.GetFiles("/run/stuff", "*.pid"))
        {
            var pid = (await File.ReadAllTextAsync(pidFile)).Trim();
            await RunAsync("kill", "-TERM", pid);
            for (var i = 0; i < 60 && Directory.Exists($"/proc/{pid}"); i++) await Task.Delay(500);
        }
    }

    public static Task<CliResult> RunAsync(string file, params string[] args) => Processes.RunAsync(file, args);

    /// <summary>Runs a bash script that must succeed; its output goes to a file, so that a daemon it starts holds no pipe of ours.</summary>
    public static async Task ShAsync(string script)
    {
        var log = Path.Combine(Path.GetTempPath(), $"stuff-deploy-sh-{Guid.NewGuid():N}.log");
        try
        {
            var result = await RunAsync("bash", "-c", $"{{ {script}\n}} </dev/null >{log} 2>&1");
            Assert.True(result.ExitCode == 0, $"`{script}` failed (exit {result.ExitCode}):\n{(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>A client that reaches Apache on this machine for any host name and accepts the self-signed certificate.</summary>
    public static HttpClient ThroughApache() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = true,
        CookieContainer = new CookieContainer(),
        ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });
}
