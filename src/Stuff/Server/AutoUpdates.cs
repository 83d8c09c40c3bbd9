namespace Stuff.Server;

/// <summary>
/// The distribution's automatic security updates, as setup turns them on and the doctor reads
/// them: unattended-upgrades on Debian/Ubuntu, dnf-automatic (security only) on Fedora/RHEL.
/// </summary>
public sealed class AutoUpdates(IShell shell, Family family, bool systemd)
{
    public const string DebianPackage = "unattended-upgrades";
    public const string DebianConfig = "/etc/apt/apt.conf.d/20auto-upgrades";
    public const string FedoraPackage = "dnf-automatic";
    public const string FedoraConfig = "/etc/dnf/automatic.conf";
    public const string FedoraTimer = "dnf-automatic.timer";
    public const string RebootRequired = "/run/reboot-required";

    public string Package => family == Family.Debian ? DebianPackage : FedoraPackage;

    /// <summary>The file setup writes from deploy/server/: apt's periodic settings, or dnf-automatic's configuration.</summary>
    public FileSpec Config => family == Family.Debian
        ? new(DebianConfig, "root", "root", (UnixFileMode)0b110_100_100, ServerFiles.Render("20auto-upgrades", new Dictionary<string, object>()))
        : new(FedoraConfig, "root", "root", (UnixFileMode)0b110_100_100, ServerFiles.Render("dnf-automatic.conf", new Dictionary<string, object>()));

    public Task<bool> InstalledAsync(CancellationToken cancellationToken) => SystemPackages.InstalledAsync(shell, family, Package, cancellationToken);

    /// <summary>Null when security updates are installed by themselves; otherwise why not.</summary>
    public async Task<string?> OffBecauseAsync(CancellationToken cancellationToken)
    {
        if (!await InstalledAsync(cancellationToken)) return $"{Package} is not installed";
        if (family == Family.Debian)
        {
            // apt's own view of every file in apt.conf.d, not only the one setup writes.
            var dump = await shell.TryRunAsync("apt-config", ["dump"], cancellationToken);
            return AutoUpdateFacts.AptPeriodicOn(dump?.Output ?? "", "Unattended-Upgrade") ? null : "APT::Periodic::Unattended-Upgrade is not \"1\" in /etc/apt/apt.conf.d";
        }
        if (!systemd) return $"this host has no systemd to run {FedoraTimer}";
        return (await shell.RunAsync("systemctl", ["is-enabled", "--quiet", FedoraTimer], cancellationToken)).Ok ? null : $"{FedoraTimer} is not enabled";
    }

    /// <summary>Null when no reboot is due; otherwise what asks for one (Debian names the packages).</summary>
    public async Task<string?> RebootDueAsync(CancellationToken cancellationToken)
    {
        if (family == Family.Debian)
        {
            if (!File.Exists(RebootRequired)) return null;
            var packages = File.Exists(RebootRequired + ".pkgs") ? (await File.ReadAllLinesAsync(RebootRequired + ".pkgs", cancellationToken)).Where(l => l.Length > 0).Distinct().ToList() : [];
            return packages.Count > 0 ? $"updated {string.Join(", ", packages)}" : RebootRequired + " exists";
        }
        // needs-restarting (dnf-utils) exits 1 when the running kernel or core libraries are older than the installed ones.
        var needs = await shell.TryRunAsync("needs-restarting", ["-r"], cancellationToken);
        return needs is { ExitCode: 1 } ? "needs-restarting -r: " + needs.Tail(2).Replace(Environment.NewLine, " ", StringComparison.Ordinal) : null;
    }

    /// <summary>What turns them on, as a person types it.</summary>
    public string TurnOnCommand => family == Family.Debian
        ? $"sudo apt-get install {DebianPackage} && sudo dpkg-reconfigure -f noninteractive -plow {DebianPackage}"
        : $"sudo dnf install {FedoraPackage} && sudo systemctl enable --now {FedoraTimer}   (upgrade_type = security in {FedoraConfig})";
}

/// <summary>Reading apt's configuration.</summary>
public static class AutoUpdateFacts
{
    /// <summary>Whether `apt-config dump` sets APT::Periodic::NAME to a number of days above 0 ("1", "always" also count).</summary>
    public static bool AptPeriodicOn(string dump, string name)
    {
        var prefix = $"APT::Periodic::{name} \"";
        var line = dump.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (line is null) return false;
        var value = line[prefix.Length..].TrimEnd(';').TrimEnd('"');
        return value == "always" || (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) && days > 0);
    }
}
