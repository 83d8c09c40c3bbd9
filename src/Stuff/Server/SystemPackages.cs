namespace Stuff.Server;

/// <summary>The distribution's packages: whether one is installed, and installing them (apt-get on Debian/Ubuntu, dnf on Fedora/RHEL).</summary>
public static class SystemPackages
{
    public static async Task<bool> InstalledAsync(IShell shell, Family family, string package, CancellationToken cancellationToken) => family == Family.Debian
        ? await shell.TryRunAsync("dpkg-query", ["-W", "-f=${Status}", package], cancellationToken) is { Ok: true } r && r.Output.Contains("install ok installed", StringComparison.Ordinal)
        : await shell.TryRunAsync("rpm", ["-q", package], cancellationToken) is { Ok: true };

    /// <summary>The install as a dry run shows it.</summary>
    public static string InstallCommand(Family family, IEnumerable<string> packages) =>
        $"{(family == Family.Debian ? "apt-get" : "dnf")} install -y {string.Join(' ', packages)}";

    /// <summary>Installs from the package lists as they are (on Debian, `apt-get update` is the caller's).</summary>
    public static Task InstallAsync(IShell shell, Family family, IReadOnlyList<string> packages, CancellationToken cancellationToken) =>
        shell.MustAsync(family == Family.Debian ? "apt-get" : "dnf", ["install", "-y", "-q", .. packages], cancellationToken);
}
