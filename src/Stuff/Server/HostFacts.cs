using Stuff.Configuration;

namespace Stuff.Server;

/// <summary>What setup needs to know about the machine before it plans anything.</summary>
/// <param name="MemoryMegabytes">The memory this system may use (its RAM, or less where a cgroup limits it); 0 when unknown.</param>
public sealed record HostFacts(Family Family, string PrettyName, bool HasSystemd, bool SelinuxEnforcing, int PostgresVersion, int MemoryMegabytes = 0)
{
    /// <summary>The system as setup and the doctor name it: "Debian GNU/Linux 12 (bookworm) (Debian family, no systemd)".</summary>
    public string Description => $"{PrettyName} ({Family} family{(HasSystemd ? "" : ", no systemd")}{(SelinuxEnforcing ? ", SELinux enforcing" : "")})";

    /// <summary>Reads /etc/os-release, systemd and SELinux state; an unsupported system stops here, before any change.</summary>
    public static async Task<HostFacts> DetectAsync(IShell shell, CancellationToken cancellationToken)
    {
        const string osRelease = "/etc/os-release";
        var text = File.Exists(osRelease) ? await File.ReadAllTextAsync(osRelease, cancellationToken) : "";
        var (family, pretty) = ParseOsRelease(text);
        if (family is null)
            throw new UserFacingException(
                $"stuff setup supports the Debian/Ubuntu and Fedora/RHEL families; this system is {(pretty.Length > 0 ? pretty : "unknown (no /etc/os-release)")}. Nothing was changed.");

        // /run/systemd/system exists only when systemd is PID 1 (sd_booted(3)); containers usually lack it.
        var hasSystemd = Directory.Exists("/run/systemd/system");
        var selinux = false;
        if (family == Family.Fedora)
        {
            var getenforce = await shell.TryRunAsync("getenforce", [], cancellationToken);
            selinux = getenforce is { ExitCode: 0 } && IsEnforcing(getenforce.Output);
        }
        return new HostFacts(family.Value, pretty, hasSystemd, selinux, DebianPostgresVersion(), await MemoryMegabytesAsync(cancellationToken));
    }

    /// <summary>
    /// MemTotal from /proc/meminfo, or the cgroup's memory.max where that is lower (a container or
    /// a unit with MemoryMax= sees the host's RAM in /proc/meminfo). 0 when neither can be read.
    /// </summary>
    private static async Task<int> MemoryMegabytesAsync(CancellationToken cancellationToken)
    {
        static async Task<string> Read(string path, CancellationToken cancellationToken) =>
            File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : "";
        return ParseMemoryMegabytes(await Read("/proc/meminfo", cancellationToken), await Read("/sys/fs/cgroup/memory.max", cancellationToken));
    }

    /// <summary>The smaller of /proc/meminfo's MemTotal and a cgroup v2 memory.max ("max" is no limit), in MB; 0 when neither says.</summary>
    public static int ParseMemoryMegabytes(string meminfo, string cgroupMemoryMax)
    {
        long? total = null;
        foreach (var line in meminfo.Split('\n'))
        {
            // "MemTotal:       24570036 kB"
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["MemTotal:", var kilobytes, "kB"] && long.TryParse(kilobytes, System.Globalization.CultureInfo.InvariantCulture, out var kb))
                total = kb / 1024;
        }
        if (long.TryParse(cgroupMemoryMax.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var limitBytes) && limitBytes > 0)
            total = Math.Min(total ?? long.MaxValue, limitBytes / (1024 * 1024));
        return (int)Math.Min(total ?? 0, int.MaxValue);
    }

    public static (Family? Family, string PrettyName) ParseOsRelease(string text)
    {
        var values = Configuration.KeyValueLines.Parse(text.Split('\n'));
        var ids = (values.GetValueOrDefault("ID", "") + " " + values.GetValueOrDefault("ID_LIKE", ""))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Family? family =
            ids.Any(id => id is "debian" or "ubuntu") ? Family.Debian
            : ids.Any(id => id is "fedora" or "rhel" or "centos" or "rocky" or "almalinux") ? Family.Fedora
            : null;
        return (family, values.GetValueOrDefault("PRETTY_NAME", values.GetValueOrDefault("ID", "")));
    }

    public static bool IsEnforcing(string getenforceOutput) =>
        getenforceOutput.Split('\n').Select(l => l.Trim()).Any(l => l.Equals("Enforcing", StringComparison.OrdinalIgnoreCase));

    /// <summary>Debian keeps one directory per installed major version under /etc/postgresql; 15 is bookworm's.</summary>
    private static int DebianPostgresVersion()
    {
        const string root = "/etc/postgresql";
        if (!Directory.Exists(root)) return 15;
        return Directory.GetDirectories(root)
            .Select(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
            .DefaultIfEmpty(15)
            .Max();
    }
}
