using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stuff.Deploy.Machines;

/// <summary>
/// A fresh Debian server with systemd as PID 1, booted for one test with systemd-nspawn from the
/// base root filesystem scripts/base-machine.sh built (STUFF_TEST_MACHINE_BASE). Its root is an
/// overlay on the base, so every machine starts as the base left it and writes only its own
/// layer; its network is its own (a veth pair with a /30 of 10.231.0.0/16), so its Apache and
/// PostgreSQL never meet the host's, and the test reaches it at <see cref="Address"/>.
/// Commands run inside with nsenter, in all of the machine's namespaces.
/// </summary>
public sealed class ServerMachine : IAsyncDisposable
{
    public const string WorkRoot = "/var/tmp/stuff-test-machines";
    private static int _next;

    private readonly string _directory;
    private readonly int _number;
    private Process? _nspawn;
    private int _init;

    private readonly bool _systemd;

    private ServerMachine(string name, int number, bool systemd)
    {
        _systemd = systemd;
        Name = name;
        _number = number;
        _directory = Path.Combine(WorkRoot, name);
    }

    /// <summary>The machine's name and host name; its host-side network interface is ve-NAME.</summary>
    public string Name { get; }

    /// <summary>The machine's address on its private link, where its Apache listens.</summary>
    public IPAddress Address => IPAddress.Parse($"10.231.{_number}.2");

    private IPAddress HostAddress => IPAddress.Parse($"10.231.{_number}.1");

    /// <summary>The machine's root directory as the host sees it (the merged overlay).</summary>
    public string Root => Path.Combine(_directory, "root");

    /// <summary>Where the published release was put in the machine.</summary>
    public const string Release = "/root/release";

    /// <summary>The base root filesystem, or null when ./test.sh did not build one (not root, or deploy tests off).</summary>
    public static string? Base => Environment.GetEnvironmentVariable("STUFF_TEST_MACHINE_BASE") is { Length: > 0 } path && Directory.Exists(path) ? path : null;

    /// <summary>The release ./test.sh published.</summary>
    public static string? PublishedRelease => Environment.GetEnvironmentVariable("STUFF_TEST_RELEASE") is { Length: > 0 } path && Directory.Exists(path) ? path : null;

    /// <summary>
    /// Boots a fresh machine with the published release in <see cref="Release"/>, and waits until
    /// systemd says it is up. With a <paramref name="layer"/> (what <see cref="KeepAsLayerAsync"/>
    /// kept of a machine that was shut down) the machine starts as that one was left.
    /// </summary>
    public static Task<ServerMachine> BootAsync(string? layer = null) => LaunchAsync(layer, systemd: true);

    /// <summary>
    /// A fresh machine as a container is: no systemd, no init system at all (a stub PID 1 and a
    /// shell that waits), the published release in <see cref="Release"/>.
    /// </summary>
    public static Task<ServerMachine> StartContainerAsync() => LaunchAsync(layer: null, systemd: false);

    private static async Task<ServerMachine> LaunchAsync(string? layer, bool systemd)
    {
        var basePath = Base ?? throw new InvalidOperationException("STUFF_TEST_MACHINE_BASE is not set: run ./test.sh as root");
        var number = NextNumber();
        var machine = new ServerMachine($"stuff-t{number}", number, systemd);
        try
        {
            Directory.CreateDirectory(machine._directory);
            foreach (var part in new[] { "upper", "work", "root" }) Directory.CreateDirectory(Path.Combine(machine._directory, part));
            await MustAsync("mount", "-t", "overlay", "overlay", "-o",
                $"lowerdir={(layer is null ? "" : layer + ":")}{basePath},upperdir={machine._directory}/upper,workdir={machine._directory}/work", machine.Root);
            await File.WriteAllTextAsync(machine.At("/etc/hostname"), machine.Name + "\n");
            if (layer is null && PublishedRelease is { } release) await MustAsync("cp", "-a", release, machine.At(Release));
            await machine.StartAsync();
            return machine;
        }
        catch
        {
            await machine.DisposeAsync();
            throw;
        }
    }

    /// <summary>A path inside the machine, as the host sees it.</summary>
    public string At(string path) => Root + (path.StartsWith('/') ? path : "/" + path);

    /// <summary>Runs a command inside the machine (all its namespaces, the host's capabilities), to the end.</summary>
    public Task<CliResult> RunAsync(params string[] args) => Processes.RunAsync("nsenter", ["-t", _init.ToString(), "-a", .. args]);

    /// <summary>Runs a command inside the machine that must succeed.</summary>
    public async Task<string> MustAsync(params IReadOnlyList<string> args)
    {
        var result = await RunAsync([.. args]);
        Assert.True(result.ExitCode == 0, $"in {Name}: `{string.Join(' ', args)}` failed: {result}");
        return result.Output;
    }

    /// <summary>Runs a bash script inside the machine that must succeed; its output goes to a file there, so a daemon it starts holds no pipe of ours.</summary>
    public async Task<string> ShAsync(string script)
    {
        // Not in /tmp: systemd-nspawn mounts a tmpfs there that the host does not see.
        var log = $"/var/tmp/sh-{Guid.NewGuid():N}.log";
        var result = await RunAsync("bash", "-c", $"{{ {script}\n}} </dev/null >{log} 2>&1");
        var output = File.Exists(At(log)) ? await File.ReadAllTextAsync(At(log)) : "";
        File.Delete(At(log));
        Assert.True(result.ExitCode == 0, $"in {Name}: `{script}` failed (exit {result.ExitCode}):\n{output}");
        return output;
    }

    /// <summary>Runs a bash script of the host's (its programs, its files) in the machine's network only: clients on the machine's loopback.</summary>
    public async Task InNetworkAsync(string script)
    {
        var result = await Processes.RunAsync("nsenter", ["-t", _init.ToString(), "-n", "bash", "-c", script]);
        Assert.True(result.ExitCode == 0, $"in {Name}'s network: script failed: {result}");
    }

    /// <summary>
    /// Starts a command of the host's (a server such as pebble) in the machine's network only,
    /// its output appended to <paramref name="log"/>; it runs until killed.
    /// </summary>
    public Process StartInNetwork(string command, string log)
    {
        var info = new ProcessStartInfo("nsenter") { UseShellExecute = false };
        foreach (var arg in new[] { "-t", _init.ToString(), "-n", "bash", "-c", $"exec {command} >>{log} 2>&1 </dev/null" }) info.ArgumentList.Add(arg);
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {command}");
    }

    /// <summary>A command line that runs a program of the host's in the machine's network only (for a wrapper script).</summary>
    public string InNetwork(string program) => $"nsenter -t {_init} -n {program}";

    /// <summary>The machine's first process as the host sees it, for nsenter.</summary>
    public int InitPid => _init;

    /// <summary>A client that reaches the machine for any host name and accepts its self-signed certificate.</summary>
    public HttpClient Client(bool followRedirects = false) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = followRedirects,
        UseCookies = true,
        CookieContainer = new CookieContainer(),
        ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(Address, context.DnsEndPoint.Port, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Halts the machine as a shutdown does and boots it again from the same disk.</summary>
    public async Task RebootAsync()
    {
        await HaltAsync();
        await StartAsync();
    }

    /// <summary>
    /// Shuts the machine down cleanly and keeps what it wrote (its overlay's upper layer) at
    /// <paramref name="path"/>, for machines that start where this one ended.
    /// </summary>
    public async Task KeepAsLayerAsync(string path)
    {
        await HaltAsync();
        await MustAsync("umount", Root);
        Directory.Move(Path.Combine(_directory, "upper"), path);
        Directory.Delete(_directory, recursive: true);
    }

    public async ValueTask DisposeAsync()
    {
        await HaltAsync();
        if (Directory.Exists(Root)) await Processes.RunAsync("umount", ["-l", Root]);
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private async Task StartAsync()
    {
        foreach (var hierarchy in CgroupHierarchies()) Directory.CreateDirectory(Path.Combine(hierarchy, Name));
        var console = Path.Combine(_directory, "console.log");
        // The launcher moves itself into the machine's own cgroups (two machines must not share
        // one), then becomes systemd-nspawn. There is no machined here: --register=no and
        // --keep-unit are required.
        var join = string.Concat(CgroupHierarchies().Select(h => $"echo $$ > {h}/{Name}/cgroup.procs; "));
        var info = new ProcessStartInfo("bash") { UseShellExecute = false };
        foreach (var arg in new[]
        {
            "-c", $"{join}exec systemd-nspawn -D {Root} -M {Name} --hostname={Name} {(_systemd ? "-b" : "--as-pid2")} --network-veth --register=no --keep-unit --console=read-only"
                + $"{(_systemd ? "" : " /bin/sh -c 'exec sleep infinity'")} >>{console} 2>&1 </dev/null",
        }) info.ArgumentList.Add(arg);
        _nspawn = Process.Start(info) ?? throw new InvalidOperationException("could not start systemd-nspawn");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((_init = ChildOf(_nspawn.Id)) == 0 || !File.Exists($"/sys/class/net/ve-{Name}/address"))
        {
            if (_nspawn.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"{Name} did not start: {await File.ReadAllTextAsync(console)}");
            await Task.Delay(100);
        }

        await MustAsync("ip", "addr", "add", $"{HostAddress}/30", "dev", $"ve-{Name}");
        await MustAsync("ip", "link", "set", $"ve-{Name}", "up");
        // The host's ip, in the machine's network namespace only: a minimal server need not have it.
        await MustAsync("nsenter", "-t", _init.ToString(), "-n", "ip", "addr", "add", $"{Address}/30", "dev", "host0");
        await MustAsync("nsenter", "-t", _init.ToString(), "-n", "ip", "link", "set", "host0", "up");

        if (!_systemd) return;
        // Until systemd's bus is up, systemctl cannot ask; then --wait waits for the boot to end.
        var booted = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var state = await Processes.RunAsync("nsenter", ["-t", _init.ToString(), "-a", "systemctl", "is-system-running", "--wait"], within: TimeSpan.FromSeconds(90));
            if (state.Output.Trim() is "running" or "degraded") break;
            if (DateTime.UtcNow > booted)
                throw new InvalidOperationException($"{Name} did not boot: {state}\n{await File.ReadAllTextAsync(console)}");
            await Task.Delay(200);
        }
    }

    private async Task HaltAsync()
    {
        if (_nspawn is { HasExited: false } nspawn)
        {
            // SIGTERM to nspawn is a clean halt; past a generous wait it is a power cut.
            await Processes.RunAsync("kill", ["-TERM", nspawn.Id.ToString()]);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await nspawn.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                nspawn.Kill(entireProcessTree: true);
                await nspawn.WaitForExitAsync();
            }
        }
        _nspawn?.Dispose();
        _nspawn = null;
        _init = 0;
        foreach (var hierarchy in CgroupHierarchies()) RemoveCgroup(Path.Combine(hierarchy, Name));
    }

    private static IEnumerable<string> CgroupHierarchies() =>
        new[] { "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified" }.Where(Directory.Exists);

    /// <summary>An empty cgroup goes with rmdir, its children first (the machine's systemd made some).</summary>
    private static void RemoveCgroup(string path)
    {
        if (!Directory.Exists(path)) return;
        foreach (var child in Directory.GetDirectories(path)) RemoveCgroup(child);
        try
        {
            Directory.Delete(path);
        }
        catch (IOException)
        {
            // Still busy for a moment after the machine ended; the next run's machine has another name.
        }
    }

    private static int ChildOf(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1]) == parent) return pid;
            }
            catch (IOException)
            {
                // The process ended while it was read.
            }
        }
        return 0;
    }

    /// <summary>A machine number (its /30 and its name) that no running machine uses.</summary>
    private static int NextNumber()
    {
        while (true)
        {
            var number = Interlocked.Increment(ref _next) % 250 + 1;
            if (!Directory.Exists($"/sys/class/net/ve-stuff-t{number}") && !Directory.Exists(Path.Combine(WorkRoot, $"stuff-t{number}"))) return number;
        }
    }

    private static async Task MustAsync(params string[] args)
    {
        var result = await Processes.RunAsync(args[0], args[1..]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"`{string.Join(' ', args)}` failed: {result}");
    }
}
