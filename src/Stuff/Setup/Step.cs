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

    /// <summary>When this run began.</summary>
    public DateTime StartedAt { get; } = DateTime.UtcNow;

    /// <summary>The release this run installs or switches to; set by the release step (or by rollback).</summary>
    public string? Release { get; set; }

    /// <summary>The executable of that release, for migrations and static files; the live one until a release is chosen.</summary>
    public string ReleaseExecutable => Release is { } release ? ReleaseStore.ExecutableOf(release) : Layout.Executable;

    /// <summary>The app instances, one per slot.</summary>
    public AppInstances Instances => new(Shell, Layout, Releases, Facts.HasSystemd);

    /// <summary>The port Apache sends traffic to: the live slot's, or the first slot's before anything went live.</summary>
    public int LivePort => Releases.LivePort ?? ReleaseStore.SlotPorts[0];

    /// <summary>The ports of the live slot's instances.</summary>
    public IReadOnlyList<int> LivePorts => [.. ReleaseStore.Ports(LivePort, Settings.Instances)];

    /// <summary>Set by steps whose change only takes effect when the app restarts (its settings); a new release always starts anew.</summary>
    public bool AppRestartNeeded { get; set; }

    /// <summary>Set by steps that change Apache's configuration or certificate.</summary>
    public bool ApacheReloadNeeded { get; set; }

    /// <summary>The address of the instance on a port, on loopback, under the base path.</summary>
    public string AppUrl(int port) => $"http://127.0.0.1:{port}{Settings.BasePath}";
}

/// <summary>
/// One thing setup makes true. <see cref="CheckAsync"/> only looks; <see cref="ApplyAsync"/>
/// changes the system and is safe to repeat; <see cref="Describe"/> says what it would do,
/// for --dry-run. The check and the description never change anything.
/// </summary>
public abstract class Step
{
    public abstract string Name { get; }

    /// <summary>The commands and files of this step, as a person would review them.</summary>
    public abstract IEnumerable<string> Describe(SetupContext context);

    /// <summary>Null when nothing needs to change; otherwise what is missing or different.</summary>
    public abstract Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken);

    public abstract Task ApplyAsync(SetupContext context, CancellationToken cancellationToken);

    /// <summary>Steps that only verify (the final HTTPS check) report ok or FAILED, never "changed".</summary>
    public virtual bool VerifiesOnly => false;
}
