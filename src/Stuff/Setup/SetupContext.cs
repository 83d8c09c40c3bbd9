using Stuff.Server;

namespace Stuff.Setup;

/// <summary>Everything a step may use: the machine, the request, the layout, and what earlier steps changed.</summary>
public sealed class SetupContext(IShell shell, HostFacts facts, SetupSettings settings, ReleaseStore? releases = null)
{
    public IShell Shell { get; } = shell;
    public HostFacts Facts { get; } = facts;
    public SetupSettings Settings { get; } = settings;
    public Layout Layout { get; } = new(facts.Family, facts.PostgresVersion);

    /// <summary>The releases on disk and which one serves (another root only in tests).</summary>
    public ReleaseStore Releases { get; } = releases ?? new Layout(facts.Family, facts.PostgresVersion).Releases;

    /// <summary>What the packages step installs: the layout's, and restic (with ssh for sftp:) for an off-site repository.</summary>
    public IReadOnlyList<string> Packages => Settings.Offsite is { } offsite
        ? [.. Layout.Packages, "restic", .. offsite.IsSftp ? new[] { Facts.Family == Family.Debian ? "openssh-client" : "openssh-clients" } : []]
        : Layout.Packages;

    /// <summary>When this run began.</summary>
    public DateTime StartedAt { get; } = DateTime.UtcNow;

    /// <summary>The release this run installs or switches to; set by the release step (or by rollback).</summary>
    public string? Release { get; set; }

    /// <summary>The executable of that release, for migrations and static files; the live one until a release is chosen.</summary>
    public string ReleaseExecutable => Release is { } release ? ReleaseStore.ExecutableOf(release) : Layout.Executable;

    /// <summary>`stuff` commands of an installed release, as the service user with the installed settings.</summary>
    public InstalledApp App => new(Shell, Layout);

    /// <summary>Runs a command of the release this run installs (or the live one).</summary>
    public Task<ShellResult> RunReleaseAsync(CancellationToken cancellationToken, params string[] args) => App.RunAsync(ReleaseExecutable, cancellationToken, args);

    public string DescribeRelease(string args) => App.Describe(ReleaseExecutable, args);

    public Apache Apache => new(Shell, Layout, Facts.HasSystemd);

    /// <summary>The app instances, one per slot.</summary>
    public AppInstances Instances => new(Shell, Layout, Releases, Facts.HasSystemd);

    /// <summary>The port Apache sends traffic to: the live slot's, or the first slot's before anything went live.</summary>
    public int LivePort => Releases.LivePort ?? ReleaseStore.SlotPorts[0];

    /// <summary>The ports of the live slot's instances.</summary>
    public IReadOnlyList<int> LivePorts => [.. ReleaseStore.Ports(LivePort, Settings.Instances)];

    /// <summary>Set by steps whose change only takes effect when the app restarts (its settings); a new release always starts anew.</summary>
    public bool AppRestartNeeded { get; set; }

    /// <summary>What setup says at the end besides its steps: things that work but want attention.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Set by steps that change Apache's configuration or certificate.</summary>
    public bool ApacheReloadNeeded { get; set; }

    /// <summary>The address of the instance on a port, on loopback, under the base path.</summary>
    public string AppUrl(int port) => $"http://127.0.0.1:{port}{Settings.BasePath}";
}
