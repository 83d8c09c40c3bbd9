using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Stuff.Deploy.Machines;

/// <summary>
/// Podman, as a container host the way a Kubernetes node runs pods, kept off this machine: its
/// images, containers, secrets and networks live in a folder of the test's own, and everything
/// runs in a network namespace of its own, where podman's bridge gives each pod an address. A
/// throwaway PostgreSQL listens there too (reached by the pods at the bridge's gateway), and a
/// veth pair with a port forward per pod lets the test's HTTP client in, as a Service would.
/// runc with lowered limits, as podman works on this kind of machine (crun does not).
/// </summary>
public sealed class PodmanLab : IAsyncDisposable
{
    /// <summary>The bridge's gateway, the address the pods reach the lab's PostgreSQL at.</summary>
    public const string Gateway = "10.88.0.1";

    private static readonly IPAddress Inside = IPAddress.Parse("10.232.250.2");

    private readonly string _directory;
    private readonly string _netns;
    private readonly string _hostEnd;
    private readonly string _innerEnd;
    private PostgresServer? _database;

    private PodmanLab(string directory, string id)
    {
        _directory = directory;
        _netns = $"stuff-pm{id}";
        _hostEnd = $"pmh{id}";
        _innerEnd = $"pmn{id}";
    }

    /// <summary>postgres://... of the lab's PostgreSQL as the pods reach it, with its password.</summary>
    public string DatabaseUrl { get; private set; } = "";

    public static async Task<PodmanLab> StartAsync()
    {
        var id = (Environment.ProcessId % 100000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var lab = new PodmanLab(Path.Combine(ServerMachine.WorkRoot, $"podman-{id}"), id);
        try
        {
            await lab.PrepareAsync();
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private async Task PrepareAsync()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "containers.conf"), $"""
            [containers]
            default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
            [engine]
            runtime = "runc"
            tmp_dir = "{_directory}/libpod"
            [network]
            network_config_dir = "{_directory}/networks"
            """);
        await File.WriteAllTextAsync(Path.Combine(_directory, "storage.conf"), $"""
            [storage]
            driver = "overlay"
            graphroot = "{_directory}/storage"
            runroot = "{_directory}/run"
            """);

        await MustAsync("ip", "netns", "add", _netns);
        await MustAsync("ip", "-n", _netns, "link", "set", "lo", "up");
        await MustAsync("ip", "link", "add", _hostEnd, "type", "veth", "peer", "name", _innerEnd, "netns", _netns);
        await MustAsync("ip", "addr", "add", "10.232.250.1/30", "dev", _hostEnd);
        await MustAsync("ip", "link", "set", _hostEnd, "up");
        await MustAsync("ip", "-n", _netns, "addr", "add", $"{Inside}/30", "dev", _innerEnd);
        await MustAsync("ip", "-n", _netns, "link", "set", _innerEnd, "up");

        // A PostgreSQL of the test's own, listening in the lab's network only: the pods reach it
        // at the bridge's gateway, the test at the lab's end of the veth.
        _database = await PostgresServer.StartAsync($"/run/netns/{_netns}", 5432, ["10.88.0.0/16", "10.232.250.0/30"]);
        DatabaseUrl = _database.Url(Gateway);
    }

    /// <summary>One query's rows, one value per line, from the lab's PostgreSQL.</summary>
    public async Task<string> SqlAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_database!.ConnectionString(Inside.ToString()));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new System.Text.StringBuilder();
        while (await reader.ReadAsync()) rows.AppendLine(reader.GetValue(0).ToString());
        return rows.ToString();
    }

    /// <summary>podman, in the lab's network and with its storage and settings.</summary>
    public Task<CliResult> PodmanAsync(params string[] args) =>
        Processes.RunAsync("env", [.. PodmanSettings, "nsenter", $"--net=/run/netns/{_netns}", "podman", .. args],
            // kube play looks for a folder named like the image in its working directory (to build
            // it), even with --build=false: the lab's folder has none.
            workingDirectory: _directory, within: TimeSpan.FromMinutes(5));

    public async Task<string> PodmanMustAsync(params string[] args)
    {
        var result = await PodmanAsync(args);
        if (result.ExitCode != 0) throw new InvalidOperationException($"podman {string.Join(' ', args)} failed: {result}");
        return result.Output;
    }

    /// <summary>
    /// Keeps podman's bridge (the network "podman", which the pods join too) up from now on, as a
    /// node's pod network always is: podman makes the bridge and its gateway address for the
    /// first container and removes them with the last.
    /// </summary>
    public async Task HoldNetworkAsync(string image) =>
        await PodmanMustAsync("run", "--detach", "--name", "stuff-network", "--network", "podman", image, "/bin/sleep", "infinity");

    /// <summary>A command line that runs a program in the lab's network with its podman settings (deploy/build-image.sh).</summary>
    public async Task<CliResult> RunAsync(string program, params string[] args) =>
        await Processes.RunAsync("env", [.. PodmanSettings, "BUILD_OPTIONS=--network=none",
            "nsenter", $"--net=/run/netns/{_netns}", program, .. args], within: TimeSpan.FromMinutes(10));

    /// <summary>The lab's podman settings and storage, as environment variables for `env`.</summary>
    private string[] PodmanSettings => [$"CONTAINERS_CONF={_directory}/containers.conf", $"CONTAINERS_STORAGE_CONF={_directory}/storage.conf"];

    /// <summary>A file in the lab's folder, written with mode 0600.</summary>
    public async Task<string> WriteAsync(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        await File.WriteAllTextAsync(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    /// <summary>The address podman gave a pod on its bridge.</summary>
    public async Task<string> PodAddressAsync(string pod)
    {
        var infra = (await PodmanMustAsync("pod", "inspect", pod, "--format", "{{.InfraContainerID}}")).Trim();
        using var networks = JsonDocument.Parse(await PodmanMustAsync("inspect", infra, "--format", "{{json .NetworkSettings.Networks}}"));
        return networks.RootElement.EnumerateObject().Single().Value.GetProperty("IPAddress").GetString()!;
    }

    /// <summary>Forwards <paramref name="port"/> of the lab's end of the veth to a pod's 8080, as a Service would.</summary>
    public Task ForwardAsync(int port, string podAddress, int podPort) =>
        MustAsync("nsenter", $"--net=/run/netns/{_netns}", "iptables", "-t", "nat", "-A", "PREROUTING", "-i", _innerEnd, "-p", "tcp",
            "--dport", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", "DNAT", "--to-destination", $"{podAddress}:{podPort}");

    /// <summary>
    /// A client for any host name that reaches the pod forwarded on the URL's port; it keeps no
    /// cookies of its own (the app's are Secure, and the lab is plain HTTP behind a pretend proxy).
    /// </summary>
    public static HttpClient Client() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(Inside, context.DnsEndPoint.Port, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists(Path.Combine(_directory, "storage")))
        {
            await PodmanAsync("pod", "rm", "--all", "--force", "--time", "5");
            await PodmanAsync("rm", "--all", "--force", "--time", "5");
            await PodmanAsync("secret", "rm", "--all");
        }
        if (_database is not null) await _database.DisposeAsync();
        await Processes.RunAsync("ip", ["link", "del", _hostEnd]);
        await Processes.RunAsync("ip", ["netns", "del", _netns]);
        // What podman still has mounted in its storage (image layers of stopped builds).
        var mounts = (await File.ReadAllLinesAsync("/proc/self/mounts")).Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(_directory + "/", StringComparison.Ordinal));
        foreach (var mount in mounts.OrderByDescending(m => m.Length)) await Processes.RunAsync("umount", ["-l", mount]);
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static async Task MustAsync(string file, params string[] args)
    {
        var result = await Processes.RunAsync(file, args, within: TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {result}");
    }
}
