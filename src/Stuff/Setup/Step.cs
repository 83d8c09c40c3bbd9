namespace Stuff.Setup;

/// <summary>Everything a step may use: the machine, the request, the layout, and what earlier steps changed.</summary>
public sealed class SetupContext(IShell shell, HostFacts facts, SetupSettings settings)
{
    public IShell Shell { get; } = shell;
    public HostFacts Facts { get; } = facts;
    public SetupSettings Settings { get; } = settings;
    public Layout Layout { get; } = new(facts.Family, facts.PostgresVersion);

    /// <summary>Set by steps whose change only takes effect when the app restarts (binary, settings, unit).</summary>
    public bool AppRestartNeeded { get; set; }

    /// <summary>Set by steps that change Apache's configuration or certificate.</summary>
    public bool ApacheReloadNeeded { get; set; }

    /// <summary>The app's own address, on loopback, under the base path.</summary>
    public string AppUrl => $"http://127.0.0.1:{Settings.AppPort}{Settings.BasePath}";
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
