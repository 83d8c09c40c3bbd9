namespace Stuff.Data;

/// <summary>
/// An entity whose every save bumps a version, so that an edit made from an older form is
/// refused instead of overwriting someone else's (see <see cref="VersionedSave"/>). Its
/// configuration marks <see cref="Version"/> as the concurrency token.
/// </summary>
public interface IVersioned
{
    /// <summary>Bumped on every save; an update or delete whose version no longer matches is refused.</summary>
    long Version { get; set; }
}

/// <summary>An entity that knows when it was created and last changed, by the site's clock.</summary>
public interface ITimestamped
{
    DateTime CreatedAt { get; set; }

    DateTime UpdatedAt { get; set; }
}
