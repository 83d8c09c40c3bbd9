namespace Stuff.Setup;

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
