using Stuff.Backups;

using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// Before a new release goes live, or migrations change a database that already holds data, a
/// backup is taken, so the upgrade can always be undone with `stuff restore` (or `stuff rollback
/// --restore-backup`).
/// </summary>
public sealed class BackupBeforeMigrationsStep : Step
{
    public override string Name => "Backup before the upgrade";

    public override IEnumerable<string> Describe(SetupContext context) =>
        [context.DescribeRelease("backup") + "   (when a new release replaces the live one, or migrations are pending on a database that has data)"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        // One backup per run is enough; a run after a failed one takes a fresh one.
        if (Backup.NewestTakenAt(context.Layout.BackupDirectory) >= context.StartedAt) return null;
        if (context.Releases.LiveRelease is { } live && context.Release is { } release && live != release)
            return $"release {ReleaseStore.NameOf(release)} is about to replace {ReleaseStore.NameOf(live)}";
        var (migrations, _) = await context.App.MigrationsAsync(context.ReleaseExecutable, cancellationToken);
        var upgrade = migrations is { Applied.Count: > 0, Pending.Count: > 0 };
        return upgrade ? "migrations are about to change a database that has data" : null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken) => await BackupScheduleStep.BackupNowAsync(context, cancellationToken);
}
