using Stuff.Backups;

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
        [InstalledApp.Describe(context, "backup") + "   (when a new release replaces the live one, or migrations are pending on a database that has data)"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        // One backup per run is enough; a run after a failed one takes a fresh one.
        if (BackupScheduleStep.NewestTakenAt(context.Layout) >= context.StartedAt) return null;
        if (context.Releases.LiveRelease is { } live && context.Release is { } release && live != release)
            return $"release {ReleaseStore.NameOf(release)} is about to replace {ReleaseStore.NameOf(live)}";
        var list = await InstalledApp.RunAsync(context, cancellationToken, "migrate", "--list");
        var migrations = MigrationList.Parse(list.Output);
        var upgrade = list.Ok && migrations.Applied.Count > 0 && migrations.Known.Except(migrations.Applied).Any();
        return upgrade ? "migrations are about to change a database that has data" : null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken) => await BackupScheduleStep.BackupNowAsync(context, cancellationToken);
}

/// <summary>A backup every day (a systemd timer, or cron where systemd does not run), and one now when none is recent.</summary>
public sealed class BackupScheduleStep : Step
{
    public const string TimerUnit = "stuff-backup.timer";
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(26);

    public override string Name => "Daily backups";

    public static IEnumerable<FileSpec> Files(SetupContext context)
    {
        var layout = context.Layout;
        const UnixFileMode rw_r__r__ = (UnixFileMode)0b110_100_100;
        var command = $"{layout.Executable} backup --keep 14";
        if (context.Facts.HasSystemd)
        {
            yield return new FileSpec("/etc/systemd/system/stuff-backup.service", "root", "root", rw_r__r__, $"""
                # Stuff's daily backup, written by `stuff setup`.
                [Unit]
                Description=Back up the Stuff database
                After=postgresql.service

                [Service]
                Type=oneshot
                User={Layout.ServiceUser}
                Group={Layout.ServiceUser}
                Environment=STUFF_ENV_FILE={layout.EnvFile}
                ExecStart={command}
                # Backups are written with mode 0600 in {layout.BackupDirectory}.
                UMask=0077

                """);
            yield return new FileSpec($"/etc/systemd/system/{TimerUnit}", "root", "root", rw_r__r__, """
                # Stuff's daily backup, written by `stuff setup`.
                [Unit]
                Description=Back up the Stuff database every day

                [Timer]
                OnCalendar=*-*-* 03:30:00
                RandomizedDelaySec=30min
                # A server that was off at 03:30 backs up when it starts.
                Persistent=true

                [Install]
                WantedBy=timers.target

                """);
        }
        else
        {
            yield return new FileSpec("/etc/cron.d/stuff-backup", "root", "root", rw_r__r__, $"""
                # Stuff's daily backup, written by `stuff setup` (this host has no systemd; cron must run).
                SHELL=/bin/sh
                PATH=/usr/sbin:/usr/bin:/sbin:/bin
                30 3 * * * {Layout.ServiceUser} STUFF_ENV_FILE={layout.EnvFile} {command} >>{layout.LogDirectory}/backup.log 2>&1

                """);
        }
    }

    public override IEnumerable<string> Describe(SetupContext context) =>
    [
        .. Files(context).SelectMany(f => f.Describe()),
        .. context.Facts.HasSystemd ? new[] { "run systemctl daemon-reload; systemctl enable --now " + TimerUnit } : [],
        InstalledApp.Describe(context, "backup") + "   (when no backup is younger than 26 hours)",
    ];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (Files(context).Select(f => f.Difference()).FirstOrDefault(d => d is not null) is { } difference) return difference;
        if (context.Facts.HasSystemd && !(await context.Shell.RunAsync("systemctl", ["is-enabled", "--quiet", TimerUnit], cancellationToken)).Ok)
            return $"{TimerUnit} is not enabled";
        return NewestAge(context.Layout) < MaxAge ? null : "no backup from the last 26 hours";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        foreach (var file in Files(context).Where(f => f.Difference() is not null))
            await file.WriteAsync(context.Shell, cancellationToken);
        if (context.Facts.HasSystemd)
        {
            await context.Shell.MustAsync("systemctl", ["daemon-reload"], cancellationToken);
            await context.Shell.MustAsync("systemctl", ["enable", "--now", TimerUnit], cancellationToken);
        }
        if (NewestAge(context.Layout) >= MaxAge) await BackupNowAsync(context, cancellationToken);
    }

    /// <summary>When the newest backup was taken; null when there is none.</summary>
    public static DateTime? NewestTakenAt(Layout layout) => Backup.List(layout.BackupDirectory).Select(Backup.TakenAt).Max();

    /// <summary>How old the newest backup is; MaxValue when there is none.</summary>
    public static TimeSpan NewestAge(Layout layout) => NewestTakenAt(layout) is { } at ? DateTime.UtcNow - at : TimeSpan.MaxValue;

    public static async Task BackupNowAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var result = await InstalledApp.RunAsync(context, cancellationToken, "backup");
        if (!result.Ok) throw new StepFailedException("stuff backup failed:" + Environment.NewLine + result.Tail());
    }
}
