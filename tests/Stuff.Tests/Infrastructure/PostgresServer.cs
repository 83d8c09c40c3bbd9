using System.Net;
using System.Net.Sockets;

namespace Stuff.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of one test's own, with the durability settings a production server has
/// (unlike the suite's shared cluster, which runs with fsync off), so that the test can crash it
/// the way a power cut or an OOM kill does and start it again through crash recovery.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;
    private readonly string? _networkNamespace;
    private readonly string _password = Convert.ToHexString(Guid.NewGuid().ToByteArray());

    private PostgresServer(string bin, string directory, int port, string? networkNamespace)
    {
        _bin = bin;
        _directory = directory;
        _networkNamespace = networkNamespace;
        Port = port;
    }

    public int Port { get; }

    /// <summary>An Npgsql connection string for the server's superuser, on loopback.</summary>
    public string AdminConnectionString => ConnectionString("127.0.0.1");

    /// <summary>An Npgsql connection string for the server's superuser at <paramref name="host"/>.</summary>
    public string ConnectionString(string host) => $"Host={host};Port={Port};Username=postgres;Password={_password};Pooling=false";

    /// <summary>postgres://... for the superuser's own database at <paramref name="host"/>, as DATABASE_URL takes it.</summary>
    public string Url(string host) => $"postgres://postgres:{_password}@{host}:{Port}/postgres";

    private string Data => Path.Combine(_directory, "data");

    /// <summary>The newest installed server's bin directory, or null when none is installed.</summary>
    public static string? BinDirectory() =>
        !Directory.Exists("/usr/lib/postgresql")
            ? null
            : Directory.GetDirectories("/usr/lib/postgresql")
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderBy(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
                .Select(d => Path.Combine(d, "bin"))
                .LastOrDefault();

    /// <summary>
    /// initdb and start; as root the files belong to the postgres user, as initdb insists. In a
    /// <paramref name="networkNamespace"/> (a path such as /run/netns/NAME; root only) it listens
    /// on every address there, on <paramref name="port"/>, and lets the <paramref name="clientNetworks"/> in.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(string? networkNamespace = null, int? port = null, IReadOnlyList<string>? clientNetworks = null)
    {
        var bin = BinDirectory() ?? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); ./test.sh installs it.");
        var directory = Directory.CreateTempSubdirectory("stuff-test-own-pg-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var server = new PostgresServer(bin, directory, port ?? FreePort(), networkNamespace);
        var passwordFile = Path.Combine(directory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, server._password + "\n");
        if (Environment.UserName == "root") await RunAsync("chown", ["-R", "postgres", directory]);
        await server.RunAsPostgresAsync(Path.Combine(bin, "initdb"),
            ["-D", server.Data, "-U", "postgres", $"--pwfile={passwordFile}", "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]);
        File.Delete(passwordFile);
        foreach (var network in clientNetworks ?? [])
            await File.AppendAllTextAsync(Path.Combine(server.Data, "pg_hba.conf"), $"host all all {network} scram-sha-256\n");
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the (stopped or crashed) server and waits until it accepts connections.</summary>
    public Task StartAgainAsync() => RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"),
    [
        "-D", Data, "-l", Path.Combine(_directory, "postgres.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {_directory} -c listen_addresses={(_networkNamespace is null ? "127.0.0.1" : "*")}", "start",
    ]);

    /// <summary>
    /// Immediate shutdown: every server process quits at once without a checkpoint, as in a
    /// crash; the next start replays the write-ahead log.
    /// </summary>
    public Task CrashAsync() => RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        Directory.Delete(_directory, recursive: true);
    }

    private Task RunAsPostgresAsync(string file, IReadOnlyList<string> args) =>
        _networkNamespace is not null ? RunAsync("nsenter", [$"--net={_networkNamespace}", "runuser", "-u", "postgres", "--", file, .. args])
        : Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", file, .. args])
        : RunAsync(file, args);

    private static async Task RunAsync(string file, IReadOnlyList<string> args)
    {
        var result = await Processes.RunAsync(file, args);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({result.ExitCode}):\n{result.Output}{result.Error}");
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
