using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Stuff.Server;

/// <summary>
/// Where systemd does not run (containers, CI), `stuff supervise` keeps `stuff serve` running:
/// it writes a pid file, restarts the app when it fails, and passes SIGTERM on so that
/// in-flight requests finish.
/// </summary>
public static class Supervisor
{
    /// <summary>Sends SIGTERM (Process.Kill would send SIGKILL, which gives no time to finish requests).</summary>
    private static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>The supervisor's pid when the pid file names a live process, else null.</summary>
    public static int? RunningPid(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) return null;
        return Directory.Exists($"/proc/{pid}") ? pid : null;
    }

    public static async Task StopAsync(string pidFile, CancellationToken cancellationToken)
    {
        if (RunningPid(pidFile) is not { } pid) return;
        Terminate(pid);
        if (!await Wait.UntilAsync(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(500), cancellationToken))
            throw new ServerException($"the app (supervisor pid {pid}) did not stop within 40 s of SIGTERM.");
    }

    /// <summary>Starts the supervisor of a slot detached, as the service user, with the slot's release, port, pid file and log.</summary>
    public static async Task StartAsync(IShell shell, Layout layout, ReleaseStore store, int port, CancellationToken cancellationToken)
    {
        // The detached process must not hold setup's output pipes open, or setup would wait for it
        // forever; the arguments go to sh as "$@", never into the script text.
        await shell.MustAsync("sh",
            ["-c", "exec setsid -f \"$@\" </dev/null >/dev/null 2>&1", "sh",
             "runuser", "-u", Layout.ServiceUser, "--", .. Command(layout, store, port)], cancellationToken);
    }

    /// <summary>The supervisor's command line for a slot, as the service user runs it.</summary>
    public static string[] Command(Layout layout, ReleaseStore store, int port, string? envFile = null) =>
    [
        "env", $"STUFF_ENV_FILE={envFile ?? layout.EnvFile}",
        ReleaseStore.ExecutableOf(store.SlotPath(port)), "supervise",
        "--pid-file", layout.PidFile(port), "--log-file", layout.LogFile(port), "--urls", $"http://127.0.0.1:{port}",
    ];

    /// <summary>The supervise command's loop.</summary>
    public static async Task<int> RunAsync(string pidFile, string logFile, string? urls, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(pidFile, Environment.ProcessId + "\n", cancellationToken);
        await using var log = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var stopping = false;
        using var stop = new CancellationTokenSource();
        Process? child = null;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stopping = true;
            stop.Cancel();
            if (child is { HasExited: false }) Terminate(child.Id);
        });

        var failures = new Queue<DateTime>();
        try
        {
            while (!stopping)
            {
                var info = new ProcessStartInfo(Environment.ProcessPath!, urls is null ? ["serve"] : ["serve", "--urls", urls])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                child = Process.Start(info)!;
                await log.WriteLineAsync($"{DateTime.UtcNow:O} supervise: started stuff serve (pid {child.Id})");
                var copyOut = CopyAsync(child.StandardOutput, log);
                var copyErr = CopyAsync(child.StandardError, log);
                await child.WaitForExitAsync(CancellationToken.None);
                await Task.WhenAll(copyOut, copyErr);
                if (stopping) break;

                await log.WriteLineAsync($"{DateTime.UtcNow:O} supervise: stuff serve exited with code {child.ExitCode}; restarting");
                failures.Enqueue(DateTime.UtcNow);
                while (failures.Count > 0 && failures.Peek() < DateTime.UtcNow.AddMinutes(-1)) failures.Dequeue();
                // Like systemd's start limit: a crash loop backs off instead of spinning.
                try
                {
                    await Task.Delay(failures.Count >= 5 ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(2), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // SIGTERM while waiting to restart: stop now.
                }
            }
        }
        finally
        {
            File.Delete(pidFile);
            await log.WriteLineAsync($"{DateTime.UtcNow:O} supervise: stopped");
        }
        return 0;
    }

    private static async Task CopyAsync(StreamReader from, StreamWriter to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (to) to.WriteLine(line);
        }
    }
}
