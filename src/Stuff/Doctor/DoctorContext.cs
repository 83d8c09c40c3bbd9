using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>
/// What the checks share: the machine, the installed layout, the env file's values as read
/// (even when its permissions are wrong, so every other check can still run), Apache's site
/// file, and what earlier checks learnt.
/// </summary>
public sealed class DoctorContext
{
    public DoctorContext(IShell shell, HostFacts facts, string envFilePath, bool isRoot, ReleaseStore? releases = null)
    {
        Shell = shell;
        Facts = facts;
        Layout = new Layout(facts.Family, facts.PostgresVersion);
        Releases = releases ?? Layout.Releases;
        LivePort = Releases.LivePort ?? ReleaseStore.SlotPorts[0];
        EnvFilePath = envFilePath;
        IsRoot = isRoot;
        try
        {
            Env = File.Exists(envFilePath) ? EnvFile.ReadValues(envFilePath) : null;
        }
        catch (Exception e) when (e is UserFacingException or IOException or UnauthorizedAccessException)
        {
            EnvError = e.Message;
        }
        Options = new StuffOptions
        {
            DatabaseUrl = Value("DATABASE_URL"),
            BasePath = Value("STUFF_BASE_PATH"),
            DataDirectory = Value("STUFF_DATA_DIR") ?? Layout.DataDirectory,
            Domain = Value("STUFF_DOMAIN"),
            BackupDirectory = Value("STUFF_BACKUP_DIR"),
            Keys = Value("STUFF_KEYS"),
            KeysCertificate = Value(KeyRingCertificate.Setting),
        };
        Site = ApacheSite.Read(Layout.ApacheSiteFile);
    }

    public IShell Shell { get; }
    public HostFacts Facts { get; }
    public Layout Layout { get; }
    public string EnvFilePath { get; }
    public bool IsRoot { get; }

    /// <summary>The env file's values; null when it is missing or could not be read.</summary>
    public IReadOnlyDictionary<string, string?>? Env { get; }

    /// <summary>Why the env file could not be read, when it exists but could not.</summary>
    public string? EnvError { get; }

    /// <summary>The app's settings as the env file gives them.</summary>
    public StuffOptions Options { get; }

    /// <summary>Apache's site file as `stuff setup` wrote it (or as someone edited it); null when missing.</summary>
    public ApacheSite? Site { get; }

    /// <summary>Set by the database check: the app's credentials opened the database.</summary>
    public bool DatabaseConnected { get; set; }

    /// <summary>Set by the service check.</summary>
    public bool? ServiceRunning { get; set; }

    /// <summary>Set by the app check: the app answered on its loopback address.</summary>
    public bool? AppAnswers { get; set; }

    public string? Value(string key) => Env?.GetValueOrDefault(key) is { Length: > 0 } value ? value : null;

    /// <summary>The releases on disk (another root only in tests).</summary>
    public ReleaseStore Releases { get; }

    /// <summary>The port of the live release's slot, where Apache should send traffic.</summary>
    public int LivePort { get; }

    /// <summary>Where the live release listens.</summary>
    public Uri AppAddress => new($"http://127.0.0.1:{LivePort}");

    /// <summary>The app's own URL for a path under its base path, on loopback.</summary>
    public string AppUrl(string path) => $"{AppAddress.Scheme}://{AppAddress.Authority}{Options.NormalizedBasePath}{path}";

    public string DataDirectory => Options.ResolvedDataDirectory;

    public string KeyDirectory => Path.Combine(DataDirectory, "keys");

    /// <summary>The site's name: STUFF_DOMAIN when it is a host name, else Apache's ServerName.</summary>
    public string Domain =>
        Options.Domain is { Length: > 0 } domain && StuffOptions.IsHostName(domain) ? domain
        : Site?.ServerName is { } server && StuffOptions.IsHostName(server) ? server
        : "localhost";

    /// <summary>A `stuff` command run as the service user with the installed settings, as a person would type it.</summary>
    public string AsServiceUser(string args) =>
        $"sudo -u {Layout.ServiceUser} STUFF_ENV_FILE={EnvFilePath} {Layout.Executable} {args}";

    public string StartApp => StartAppOn(LivePort);

    /// <summary>Starts the instance on one port of the live slot.</summary>
    public string StartAppOn(int port) => Facts.HasSystemd
        ? $"sudo systemctl start {Layout.Unit(port)}"
        : $"sudo setsid -f runuser -u {Layout.ServiceUser} -- {string.Join(' ', Supervisor.Command(Layout, Releases, port, EnvFilePath))}";

    /// <summary>Restarts the app so that it reads its settings again.</summary>
    public string RestartApp => Facts.HasSystemd
        ? $"sudo systemctl restart {Layout.Unit(LivePort)}"
        // The supervisor starts `stuff serve` again two seconds after it ends.
        : $"sudo pkill -TERM -P \"$(cat {Layout.PidFile(LivePort)})\"";

    public Apache Apache => new(Shell, Layout, Facts.HasSystemd);

    public string ReloadApache => Apache.ReloadCommand;

    /// <summary>True when the service user may read (-r), write (-w) or enter (-x) the path.</summary>
    public async Task<bool> ServiceUserCanAsync(string test, string path, CancellationToken cancellationToken)
    {
        if (!IsRoot)
        {
            return test switch
            {
                "-w" => CanWrite(path),
                _ => CanRead(path),
            };
        }
        var result = await Shell.RunAsync("runuser", ["-u", Layout.ServiceUser, "--", "test", test, path], cancellationToken);
        return result.Ok;
    }

    private static bool CanRead(string path)
    {
        try
        {
            if (Directory.Exists(path)) _ = Directory.GetFileSystemEntries(path);
            else File.OpenRead(path).Dispose();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool CanWrite(string path)
    {
        try
        {
            var probe = Path.Combine(Directory.Exists(path) ? path : Path.GetDirectoryName(path)!, $".doctor-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
