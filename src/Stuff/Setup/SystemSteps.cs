namespace Stuff.Setup;

/// <summary>Apache, PostgreSQL and the tools setup calls, from the distribution's packages.</summary>
public sealed class PackagesStep : Step
{
    public override string Name => "Packages";

    public override IEnumerable<string> Describe(SetupContext context) => context.Facts.Family == Family.Debian
        ? ["run apt-get update", $"run apt-get install -y {string.Join(' ', context.Layout.Packages)}"]
        : [$"run dnf install -y {string.Join(' ', context.Layout.Packages)}"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var package in context.Layout.Packages)
        {
            var installed = context.Facts.Family == Family.Debian
                ? await context.Shell.TryRunAsync("dpkg-query", ["-W", "-f=${Status}", package], cancellationToken) is { Ok: true } r && r.Output.Contains("install ok installed")
                : await context.Shell.TryRunAsync("rpm", ["-q", package], cancellationToken) is { Ok: true };
            if (!installed) missing.Add(package);
        }
        return missing.Count == 0 ? null : "not installed: " + string.Join(", ", missing);
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.Family == Family.Debian)
        {
            await context.Shell.MustAsync("apt-get", ["update", "-q"], cancellationToken);
            await context.Shell.MustAsync("apt-get", ["install", "-y", "-q", .. context.Layout.Packages], cancellationToken);
        }
        else
        {
            await context.Shell.MustAsync("dnf", ["install", "-y", "-q", .. context.Layout.Packages], cancellationToken);
        }
    }
}

/// <summary>Debian enables few Apache modules; the site needs the proxy, balancer, headers and TLS ones.</summary>
public sealed class ApacheModulesStep : Step
{
    /// <summary>What the site in Apache uses; the doctor checks the same list.</summary>
    public static readonly string[] Modules = ["proxy", "proxy_http", "headers", "ssl", "alias", "proxy_balancer", "lbmethod_byrequests", "slotmem_shm"];

    public override string Name => "Apache modules";

    public override IEnumerable<string> Describe(SetupContext context) => context.Facts.Family == Family.Debian
        ? [$"run a2enmod {string.Join(' ', Modules)}"]
        : ["(Fedora loads proxy, proxy_http, proxy_balancer, headers and ssl with the httpd and mod_ssl packages)"];

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.Family != Family.Debian) return Task.FromResult<string?>(null);
        var missing = Modules.Where(m => !File.Exists($"/etc/apache2/mods-enabled/{m}.load")).ToList();
        return Task.FromResult(missing.Count == 0 ? null : "not enabled: " + string.Join(", ", missing));
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        await context.Shell.MustAsync("a2enmod", ["-q", .. Modules], cancellationToken);
        context.ApacheReloadNeeded = true;
    }
}

/// <summary>A running PostgreSQL cluster: Debian creates one with the package; Fedora needs initdb.</summary>
public sealed class PostgresServerStep : Step
{
    public override string Name => "PostgreSQL server";

    private static string Version(SetupContext c) => c.Facts.PostgresVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override IEnumerable<string> Describe(SetupContext context) => context.Facts.Family == Family.Debian
        ? [$"run pg_ctlcluster {Version(context)} main start   (when the cluster is not online)"]
        : ["run postgresql-setup --initdb   (when /var/lib/pgsql/data/PG_VERSION is missing)", "run systemctl enable --now postgresql"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.Family == Family.Fedora && !File.Exists("/var/lib/pgsql/data/PG_VERSION")) return "the cluster is not initialised";
        var ready = await context.Shell.TryRunAsync("runuser", ["-u", "postgres", "--", "psql", "-XtAc", "SELECT 1"], cancellationToken);
        return ready is { Ok: true } ? null : "the server is not accepting connections";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.Family == Family.Debian)
        {
            var clusters = await context.Shell.MustAsync("pg_lsclusters", ["--no-header"], cancellationToken);
            if (!clusters.Output.Contains($"{Version(context)} main", StringComparison.Ordinal))
                await context.Shell.MustAsync("pg_createcluster", [Version(context), "main"], cancellationToken);
            await context.Shell.MustAsync("pg_ctlcluster", [Version(context), "main", "start"], cancellationToken);
        }
        else
        {
            if (!File.Exists("/var/lib/pgsql/data/PG_VERSION"))
                await context.Shell.MustAsync("postgresql-setup", ["--initdb"], cancellationToken);
            await context.Shell.MustAsync("systemctl", ["enable", "--now", "postgresql"], cancellationToken);
        }
        await WaitAsync(context, cancellationToken);
    }

    private static async Task WaitAsync(SetupContext context, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 30; i++)
        {
            if (await context.Shell.TryRunAsync("runuser", ["-u", "postgres", "--", "psql", "-XtAc", "SELECT 1"], cancellationToken) is { Ok: true }) return;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
        throw new StepFailedException("PostgreSQL did not accept connections within 30 s; see its log under /var/log/postgresql or `journalctl -u postgresql`.");
    }
}

/// <summary>The service user that runs the app and the group of people allowed to deploy it.</summary>
public sealed class UsersStep : Step
{
    public override string Name => "Users";

    public override IEnumerable<string> Describe(SetupContext context) =>
    [
        $"run groupadd --system {Layout.DeployGroup}",
        $"run useradd --system --user-group --home-dir {context.Layout.DataDirectory} --no-create-home --shell /usr/sbin/nologin {Layout.ServiceUser}",
    ];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (await context.Shell.TryRunAsync("getent", ["group", Layout.DeployGroup], cancellationToken) is not { Ok: true }) return $"group {Layout.DeployGroup} is missing";
        if (await context.Shell.TryRunAsync("id", ["-u", Layout.ServiceUser], cancellationToken) is not { Ok: true }) return $"user {Layout.ServiceUser} is missing";
        return null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (await context.Shell.TryRunAsync("getent", ["group", Layout.DeployGroup], cancellationToken) is not { Ok: true })
            await context.Shell.MustAsync("groupadd", ["--system", Layout.DeployGroup], cancellationToken);
        if (await context.Shell.TryRunAsync("id", ["-u", Layout.ServiceUser], cancellationToken) is not { Ok: true })
            await context.Shell.MustAsync("useradd", ["--system", "--user-group", "--home-dir", context.Layout.DataDirectory, "--no-create-home", "--shell", "/usr/sbin/nologin", Layout.ServiceUser], cancellationToken);
    }
}

/// <summary>
/// Installs the release this setup runs from as a new directory under /opt/stuff/releases,
/// beside the ones before it, and makes it the one the later steps migrate with and start.
/// A release already there (the same files, byte for byte) is used as it is, so running setup
/// from the installed executable changes nothing.
/// </summary>
public sealed class ReleaseStep : Step
{
    public override string Name => "Install the release";

    /// <summary>The release's files, smallest first, so that a differing release is found without reading the executable.</summary>
    private static List<(string Relative, long Length)> Files(string source) =>
        Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
            .Select(f => (Relative: Path.GetRelativePath(source, f), new FileInfo(f).Length))
            .Where(f => !f.Relative.EndsWith(".pdb", StringComparison.Ordinal) && !f.Relative.StartsWith("appsettings.Development", StringComparison.Ordinal)
                && !f.Relative.EndsWith(".stuff-new", StringComparison.Ordinal))
            .OrderBy(f => f.Length).ThenBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();

    public override IEnumerable<string> Describe(SetupContext context) =>
    [
        $"copy {context.Settings.SourceDirectory}/* to {context.Releases.NewReleasePath(Hosting.AppInfo.Version, DateTime.UtcNow)}/bin/ (root:root, executable 0755, other files 0644)   (unless an installed release has the same files)",
        $"keep the live release ({ReleaseStore.NameOf(context.Releases.LiveRelease)}) serving until the new one is ready",
    ];

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var files = Files(context.Settings.SourceDirectory);
        var store = context.Releases;
        var candidates = new[] { context.Release, store.LiveRelease }.OfType<string>().Concat(store.List().Reverse()).Distinct();
        if (candidates.FirstOrDefault(r => Same(context.Settings.SourceDirectory, ReleaseStore.BinOf(r), files)) is { } installed)
        {
            context.Release = installed;
            return Task.FromResult<string?>(null);
        }
        return Task.FromResult<string?>($"{context.Settings.SourceDirectory} is not an installed release yet");
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var store = context.Releases;
        var release = store.NewReleasePath(Hosting.AppInfo.Version, DateTime.UtcNow);
        var staging = Path.Combine(store.ReleasesDirectory, $".staging-{Environment.ProcessId}");
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        const UnixFileMode rwxr_xr_x = (UnixFileMode)0b111_101_101;
        const UnixFileMode rw_r__r__ = (UnixFileMode)0b110_100_100;
        foreach (var (relative, _) in Files(context.Settings.SourceDirectory))
        {
            var target = Path.Combine(ReleaseStore.BinOf(staging), relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(context.Settings.SourceDirectory, relative), target);
            File.SetUnixFileMode(target, relative == "stuff" ? rwxr_xr_x : rw_r__r__);
        }
        foreach (var directory in Directory.EnumerateDirectories(staging, "*", SearchOption.AllDirectories).Prepend(staging))
            File.SetUnixFileMode(directory, rwxr_xr_x);
        await context.Shell.MustAsync("chown", ["-R", "root:root", staging], cancellationToken);
        // A release appears whole or not at all.
        Directory.Move(staging, release);
        context.Release = release;
    }

    private static bool Same(string source, string installed, List<(string Relative, long Length)> files) =>
        Directory.Exists(installed) && files.All(f => SameContent(Path.Combine(source, f.Relative), Path.Combine(installed, f.Relative)));

    private static bool SameContent(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (!fb.Exists || fa.Length != fb.Length) return false;
        if (string.Equals(fa.FullName, fb.FullName, StringComparison.Ordinal)) return true;
        using var sa = fa.OpenRead();
        using var sb = fb.OpenRead();
        return Hosting.FileComparison.SameContentAsync(sa, sb).GetAwaiter().GetResult();
    }
}
