namespace Stuff.Server;

/// <summary>Apache on this server: the questions setup and the doctor both ask of it, and how it is reloaded.</summary>
public sealed class Apache(IShell shell, Layout layout, bool systemd)
{
    /// <summary>What the site in Apache uses.</summary>
    public static readonly string[] Modules = ["proxy", "proxy_http", "headers", "ssl", "alias", "proxy_balancer", "lbmethod_byrequests", "slotmem_shm", "setenvif", "rewrite", "http2"];

    /// <summary>The site's modules, with mod_md when a certificate authority provides the certificate.</summary>
    public static IReadOnlyList<string> ModulesFor(bool acme) => acme ? [.. Modules, "md"] : Modules;

    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken) => systemd
        ? (await shell.RunAsync("systemctl", ["is-active", "--quiet", layout.ApacheService], cancellationToken)).Ok
        : (await shell.RunAsync("pgrep", ["-x", layout.ApacheService], cancellationToken)).Ok;

    /// <summary>Apache reads the site: on Debian only once a2ensite linked it; elsewhere every file in conf.d is read.</summary>
    public bool SiteEnabled => layout.ApacheSiteEnabledFile is not { } enabled || File.Exists(enabled);

    /// <summary>The site's modules that Apache loads: Debian's mods-enabled links, or `httpd -M` elsewhere.</summary>
    public async Task<IReadOnlyList<string>> MissingModulesAsync(bool acme, CancellationToken cancellationToken)
    {
        var wanted = ModulesFor(acme);
        if (layout.Family == Family.Debian) return [.. wanted.Where(m => !File.Exists($"/etc/apache2/mods-enabled/{m}.load"))];
        var list = await shell.TryRunAsync("httpd", ["-M"], cancellationToken);
        var loaded = LoadedModules(list?.Output ?? "");
        return [.. wanted.Where(m => !loaded.Contains(m))];
    }

    /// <summary>Module names (proxy_http ...) from `httpd -M` output.</summary>
    public static HashSet<string> LoadedModules(string output) =>
        output.Split('\n', StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[0])
            .Where(m => m.EndsWith("_module", StringComparison.Ordinal))
            .Select(m => m[..^"_module".Length])
            .ToHashSet();

    /// <summary>`apachectl -t`; null when Apache is not installed.</summary>
    public Task<ShellResult?> TestConfigurationAsync(CancellationToken cancellationToken) =>
        shell.TryRunAsync(layout.ApacheCtl, ["-t"], cancellationToken);

    /// <summary>
    /// Where systemd does not run, makes the directory that systemd-tmpfiles would make at boot
    /// and Debian's apache2ctl needs for its lock directory (/var/lock is a link to /run/lock): a
    /// container whose /run is an empty tmpfs has none, and every apache2ctl command fails.
    /// </summary>
    public void PrepareRuntime()
    {
        const string runLock = "/run/lock";
        if (systemd || layout.Family != Family.Debian || Directory.Exists(runLock) || !Directory.Exists("/run")) return;
        Directory.CreateDirectory(runLock);
        File.SetUnixFileMode(runLock, (UnixFileMode)0b1_111_111_111);
    }

    /// <summary>Starts Apache, or reloads it gracefully (in-flight requests finish), and has it start with the machine.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        if (systemd)
        {
            await shell.MustAsync("systemctl", ["enable", layout.ApacheService], cancellationToken);
            await shell.MustAsync("systemctl", ["reload-or-restart", layout.ApacheService], cancellationToken);
        }
        else
        {
            // graceful starts Apache when it is not running, and lets in-flight requests finish when it is.
            await shell.MustAsync(layout.ApacheCtl, ["graceful"], cancellationToken);
        }
    }

    /// <summary>Stops and starts Apache: requests in flight are cut, so only where a reload does not do.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        if (systemd) await shell.MustAsync("systemctl", ["restart", layout.ApacheService], cancellationToken);
        else await shell.MustAsync(layout.ApacheCtl, ["restart"], cancellationToken);
    }

    /// <summary>What <see cref="ReloadAsync"/> runs, as a dry run shows it.</summary>
    public string DescribeReload => systemd
        ? $"run systemctl enable {layout.ApacheService}; systemctl reload-or-restart {layout.ApacheService}"
        : $"run {layout.ApacheCtl} graceful";

    /// <summary>The reload as a person types it, for the doctor's fixes.</summary>
    public string ReloadCommand => systemd ? $"sudo systemctl reload {layout.ApacheService}" : $"sudo {layout.ApacheCtl} graceful";

    /// <summary>The start as a person types it.</summary>
    public string StartCommand => systemd ? $"sudo systemctl enable --now {layout.ApacheService}" : $"sudo {layout.ApacheCtl} start";
}
